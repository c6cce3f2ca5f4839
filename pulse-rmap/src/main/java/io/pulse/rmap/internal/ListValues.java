package io.pulse.rmap.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the list values of a map: a JSON array of strings (as Redis' cjson writes it), or for values
 * written before lists were JSON, a comma-separated string. Thread-safe. Not API.
 */
public final class ListValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ListValues() {
    }

    /** Returns the items of {@code value}; an empty list for {@code null}. */
    public static List<String> parse(String value) {
        if (value == null) {
            return List.of();
        }
        String trimmed = value.strip();
        if (trimmed.startsWith("[")) {
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node != null && node.isArray()) {
                    List<String> items = new ArrayList<>(node.size());
                    boolean allText = true;
                    for (JsonNode item : node) {
                        if (!item.isTextual()) {
                            allText = false;
                            break;
                        }
                        items.add(item.textValue());
                    }
                    if (allText) {
                        return List.copyOf(items);
                    }
                }
            } catch (JsonProcessingException e) {
                // not JSON after all: fall through to the comma-separated form
            }
        }
        // legacy form: split the untrimmed value on commas, keeping empty parts (as Go's client does)
        return List.copyOf(Arrays.asList(value.split(",", -1)));
    }
}
