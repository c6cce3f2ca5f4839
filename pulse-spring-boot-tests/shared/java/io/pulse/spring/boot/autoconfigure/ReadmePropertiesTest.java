package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's "Spring Boot" property tables against what the build generates: every property of the
 * configuration metadata (which IDEs complete) is in the first table with its default, and every option
 * of a map, stream or pool entry (the bean properties of the option classes, which the metadata lists
 * only as the type of {@code pulse.maps}, {@code pulse.streams} and {@code pulse.pools}) is in the second;
 * neither table lists anything else.
 */
class ReadmePropertiesTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.<>-]+)` \\|([^|]*)\\|", Pattern.MULTILINE);
    private static final Map<String, Class<?>> ENTRY_OPTIONS = Map.of("pulse.maps", MapOptions.class,
            "pulse.streams", StreamOptions.class, "pulse.pools", PoolOptions.class);

    @Test
    void theTablesListEveryPropertyAndNothingElse() throws IOException {
        Map<String, String> readme = readmeRows();
        JsonNode metadata = metadata();
        Map<String, String> expected = new TreeMap<>();
        for (JsonNode property : metadata.get("properties")) {
            String name = property.get("name").asText();
            expected.put(name, property.has("defaultValue") ? property.get("defaultValue").asText() : null);
            Class<?> options = ENTRY_OPTIONS.get(name);
            if (options != null) {
                for (String option : options(options)) {
                    expected.put(name + ".<name>." + option, null);
                }
            }
        }
        assertThat(new TreeSet<>(readme.keySet())).isEqualTo(expected.keySet());
        expected.forEach((name, defaultValue) -> {
            if (defaultValue != null) {
                assertThat(readme.get(name)).as("README's default of " + name).isEqualTo(defaultValue);
            }
        });
    }

    /** The property rows of README's Spring Boot section: name to the default column. */
    private static Map<String, String> readmeRows() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Spring Boot\n");
        assertThat(start).as("README has a Spring Boot section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        Matcher m = ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        Map<String, String> rows = new LinkedHashMap<>();
        while (m.find()) {
            if (m.group(1).startsWith("pulse.") || m.group(1).startsWith("management.")) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }

    /** The metadata the configuration processor wrote into the auto-configuration jar. */
    private static JsonNode metadata() throws IOException {
        for (URL url : Collections.list(ReadmePropertiesTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            if (url.toString().contains("pulse-spring-boot-autoconfigure")) {
                try (InputStream in = url.openStream()) {
                    return new ObjectMapper().readTree(in);
                }
            }
        }
        throw new AssertionError("no configuration metadata from pulse-spring-boot-autoconfigure on the class path");
    }

    /** The bean properties of {@code type}, in Spring's kebab case. */
    private static TreeSet<String> options(Class<?> type) {
        TreeSet<String> out = new TreeSet<>();
        for (Method m : type.getMethods()) {
            if (m.getName().startsWith("set") && m.getParameterCount() == 1) {
                out.add(m.getName().substring(3).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase());
            }
        }
        return out;
    }
}
