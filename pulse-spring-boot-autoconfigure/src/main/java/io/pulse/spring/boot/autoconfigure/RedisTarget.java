package io.pulse.spring.boot.autoconfigure;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Which Redis the PulseRedis bean connects to: {@code pulse.redis.uri} or the cluster seeds of
 * {@code pulse.redis.cluster} if set, else the Redis Spring's own {@code spring.data.redis.*} settings
 * name (so an application that already talks to Redis needs no new property), else
 * {@code redis://localhost:6379}, Spring's default too. The Spring settings are read
 * from the environment, not from Spring Data's classes, so they work whichever Boot line (and whether or
 * not Spring Data Redis) is on the class path. Immutable.
 *
 * @param uris the URI to hand to {@code PulseRedis.builder}, or a cluster's seed URIs; credentials included
 * @param cluster whether {@code uris} are the seeds of a Redis Cluster
 * @param source which settings it came from, for the startup log and error messages
 */
record RedisTarget(List<String> uris, boolean cluster, String source) {

    RedisTarget(String uri, String source) {
        this(List.of(uri), false, source);
    }

    /** The one URI of a target that is not a cluster (the first seed of one). */
    String uri() {
        return uris.get(0);
    }

    static final String DEFAULT_URI = "redis://localhost:6379";
    static final String SPRING_PREFIX = "spring.data.redis";

    /**
     * Resolves the target.
     *
     * @throws IllegalStateException if only Spring settings are given and they name something Pulse
     *     cannot connect to from a URI (a cluster, master/replica nodes, an SSL bundle, sentinels with
     *     credentials of their own)
     */
    static RedisTarget resolve(PulseProperties.Redis pulse, Environment environment) {
        List<String> seeds = pulse.getCluster().stream().map(String::trim).filter(u -> !u.isEmpty()).toList();
        if (!seeds.isEmpty()) {
            if (pulse.getUri() != null && !pulse.getUri().isBlank()) {
                throw new IllegalStateException("set either pulse.redis.uri or pulse.redis.cluster, not both");
            }
            return new RedisTarget(seeds, true, "pulse.redis.cluster");
        }
        if (pulse.getUri() != null && !pulse.getUri().isBlank()) {
            return new RedisTarget(pulse.getUri().trim(), "pulse.redis.uri");
        }
        SpringRedis spring = Binder.get(environment).bindOrCreate(SPRING_PREFIX, Bindable.of(SpringRedis.class));
        return fromSpring(spring);
    }

    static RedisTarget fromSpring(SpringRedis s) {
        if (!s.cluster().nodes().isEmpty()) {
            return cluster(s);
        }
        if (!s.masterreplica().nodes().isEmpty()) {
            throw unsupported("masterreplica.nodes", "Pulse connects to one master (directly or through Sentinel)");
        }
        if (s.ssl().bundle() != null) {
            throw unsupported("ssl.bundle",
                    "give Pulse its TLS settings with a PulseRedisBuilderCustomizer bean calling ssl(..)");
        }
        if (s.url() != null && !s.url().isBlank()) {
            return new RedisTarget(s.url().trim(), SPRING_PREFIX + ".url");
        }
        if (s.sentinel().master() != null) {
            return sentinel(s);
        }
        boolean anySet = s.host() != null || s.port() != null || s.password() != null
                || s.username() != null || s.database() != 0 || s.ssl().enabled();
        if (!anySet) {
            return new RedisTarget(DEFAULT_URI, "default");
        }
        String scheme = s.ssl().enabled() ? "rediss://" : "redis://";
        String host = s.host() == null ? "localhost" : s.host();
        int port = s.port() == null ? 6379 : s.port();
        return new RedisTarget(scheme + credentials(s.username(), s.password()) + host(host) + ":" + port
                + database(s.database()), SPRING_PREFIX + ".host/port");
    }

    private static RedisTarget sentinel(SpringRedis s) {
        SpringRedis.Sentinel sentinel = s.sentinel();
        if (sentinel.username() != null || sentinel.password() != null) {
            throw unsupported("sentinel.username/password",
                    "a Sentinel URI carries one set of credentials; set pulse.redis.uri");
        }
        if (sentinel.nodes().isEmpty()) {
            throw unsupported("sentinel.master without sentinel.nodes", "name the sentinels");
        }
        List<String> nodes = new ArrayList<>();
        for (String node : sentinel.nodes()) {
            nodes.add(node.trim());
        }
        String scheme = s.ssl().enabled() ? "rediss-sentinel://" : "redis-sentinel://";
        return new RedisTarget(scheme + credentials(s.username(), s.password()) + String.join(",", nodes)
                + database(s.database()) + "?sentinelMasterId=" + encode(sentinel.master()),
                SPRING_PREFIX + ".sentinel");
    }

    private static RedisTarget cluster(SpringRedis s) {
        String scheme = s.ssl().enabled() ? "rediss://" : "redis://";
        List<String> seeds = new ArrayList<>();
        for (String node : s.cluster().nodes()) {
            seeds.add(scheme + credentials(s.username(), s.password()) + node.trim());
        }
        return new RedisTarget(seeds, true, SPRING_PREFIX + ".cluster.nodes");
    }

    /** The URIs with their passwords masked, for logs. */
    String redacted() {
        List<String> masked = new ArrayList<>();
        uris.forEach(u -> masked.add(redacted(u)));
        return String.join(",", masked);
    }

    private static String redacted(String uri) {
        int at = uri.lastIndexOf('@');
        int scheme = uri.indexOf("://");
        if (at < 0 || scheme < 0 || at < scheme) {
            return uri;
        }
        String userInfo = uri.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        return uri.substring(0, scheme + 3) + user + ":***" + uri.substring(at);
    }

    private static IllegalStateException unsupported(String property, String hint) {
        return new IllegalStateException("Pulse cannot use " + SPRING_PREFIX + "." + property + ": " + hint
                + " (or set pulse.redis.uri, which takes precedence)");
    }

    private static String credentials(String username, String password) {
        if (password == null) {
            return username == null ? "" : encode(username) + "@";
        }
        return (username == null ? "" : encode(username)) + ":" + encode(password) + "@";
    }

    private static String host(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String database(int database) {
        return database == 0 ? "" : "/" + database;
    }

    private static String encode(String text) {
        // userinfo and query values: percent-encode everything but unreserved characters
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
