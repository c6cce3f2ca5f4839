package io.pulse.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pulse.*} settings: where Redis is, and which maps, streams and pool nodes the application
 * declares as beans. Options left unset keep Pulse's own defaults. Mutable bean for Spring's binder;
 * not thread-safe while it is bound, read-only afterwards.
 */
@ConfigurationProperties(prefix = PulseProperties.PREFIX)
public class PulseProperties {

    /** The prefix of every Pulse property. */
    public static final String PREFIX = "pulse";

    private final Redis redis = new Redis();

    /** Replicated maps to join, by name; each becomes a ReplicatedMap bean qualified by its name. */
    private Map<String, MapOptions> maps = new LinkedHashMap<>();

    /** Streams to open, by name; each becomes a Stream bean qualified by its name. */
    private Map<String, StreamOptions> streams = new LinkedHashMap<>();

    /** Worker pools to join, by name; each becomes a Node bean qualified by its name. */
    private Map<String, PoolOptions> pools = new LinkedHashMap<>();

    private final Health health = new Health();

    public Redis getRedis() {
        return redis;
    }

    public Map<String, MapOptions> getMaps() {
        return maps;
    }

    public void setMaps(Map<String, MapOptions> maps) {
        this.maps = maps;
    }

    public Map<String, StreamOptions> getStreams() {
        return streams;
    }

    public void setStreams(Map<String, StreamOptions> streams) {
        this.streams = streams;
    }

    public Map<String, PoolOptions> getPools() {
        return pools;
    }

    public void setPools(Map<String, PoolOptions> pools) {
        this.pools = pools;
    }

    public Health getHealth() {
        return health;
    }

    /** The connection of the PulseRedis bean. */
    public static class Redis {

        /**
         * Redis URI, e.g. redis://user:secret@host:6379/0, rediss://... (TLS) or
         * redis-sentinel://host:26379,host2:26379/?sentinelMasterId=mymaster. When unset, Spring's
         * spring.data.redis.* settings are used, and without them redis://localhost:6379.
         */
        private String uri;

        /**
         * Seed URIs of a Redis Cluster, e.g. redis://node1:7000,redis://node2:7000; Pulse then connects
         * to the cluster with its hash-tagged cluster layout. Leave uri unset when this is set.
         */
        private List<String> cluster = new ArrayList<>();

        /** How long a command may wait for its answer; Pulse's default is 10 s. */
        private Duration commandTimeout;

        /**
         * How long a command issued while the connection is down waits for it before failing; Pulse's
         * default is 5 s.
         */
        private Duration reconnectWait;

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public List<String> getCluster() {
            return cluster;
        }

        public void setCluster(List<String> cluster) {
            this.cluster = cluster;
        }

        public Duration getCommandTimeout() {
            return commandTimeout;
        }

        public void setCommandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
        }

        public Duration getReconnectWait() {
            return reconnectWait;
        }

        public void setReconnectWait(Duration reconnectWait) {
            this.reconnectWait = reconnectWait;
        }
    }

    /** What the Actuator health indicator checks. */
    public static class Health {

        /**
         * The most events a sink of a declared stream may have left to read before health is DOWN. A sink
         * further behind than its stream's max-len loses the oldest events.
         */
        private long maxSinkLag = 1000;

        /**
         * How long one health check may wait for Redis; an answer that takes longer makes it DOWN.
         */
        private Duration timeout = Duration.ofSeconds(2);

        public long getMaxSinkLag() {
            return maxSinkLag;
        }

        public void setMaxSinkLag(long maxSinkLag) {
            this.maxSinkLag = maxSinkLag;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
