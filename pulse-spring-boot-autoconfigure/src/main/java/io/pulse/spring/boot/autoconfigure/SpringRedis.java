package io.pulse.spring.boot.autoconfigure;

import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The subset of Spring's {@code spring.data.redis.*} settings that says where Redis is, bound from the
 * environment by {@link RedisTarget} (Spring's binder fills the record through its constructor; absent
 * settings are null, zero, false or empty). Immutable; not part of the API.
 */
record SpringRedis(String url, String host, Integer port, String username, String password, int database,
        @DefaultValue Ssl ssl, @DefaultValue Sentinel sentinel, @DefaultValue Nodes cluster,
        @DefaultValue Nodes masterreplica) {

    /** {@code spring.data.redis.ssl.*}. */
    record Ssl(boolean enabled, String bundle) {
    }

    /** {@code spring.data.redis.sentinel.*}. */
    record Sentinel(String master, @DefaultValue List<String> nodes, String username, String password) {
    }

    /** {@code spring.data.redis.cluster.nodes} and {@code spring.data.redis.masterreplica.nodes}. */
    record Nodes(@DefaultValue List<String> nodes) {
    }
}
