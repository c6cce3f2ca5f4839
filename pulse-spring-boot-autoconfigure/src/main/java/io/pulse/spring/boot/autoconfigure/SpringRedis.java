package io.pulse.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Spring's {@code spring.data.redis.*} settings that says where Redis is, bound from the
 * environment by {@link RedisTarget}. Mutable bean for Spring's binder; not part of the API.
 */
public class SpringRedis {

    private String url;
    private String host;
    private Integer port;
    private String username;
    private String password;
    private int database;
    private final Ssl ssl = new Ssl();
    private final Sentinel sentinel = new Sentinel();
    private final Nodes cluster = new Nodes();
    private final Nodes masterreplica = new Nodes();

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public int getDatabase() {
        return database;
    }

    public void setDatabase(int database) {
        this.database = database;
    }

    public Ssl getSsl() {
        return ssl;
    }

    public Sentinel getSentinel() {
        return sentinel;
    }

    public Nodes getCluster() {
        return cluster;
    }

    public Nodes getMasterreplica() {
        return masterreplica;
    }

    /** {@code spring.data.redis.ssl.*}. */
    public static class Ssl {
        private boolean enabled;
        private String bundle;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }
    }

    /** {@code spring.data.redis.sentinel.*}. */
    public static class Sentinel {
        private String master;
        private List<String> nodes = new ArrayList<>();
        private String username;
        private String password;

        public String getMaster() {
            return master;
        }

        public void setMaster(String master) {
            this.master = master;
        }

        public List<String> getNodes() {
            return nodes;
        }

        public void setNodes(List<String> nodes) {
            this.nodes = nodes;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }
    }

    /** {@code spring.data.redis.cluster.nodes} and {@code spring.data.redis.masterreplica.nodes}. */
    public static class Nodes {
        private List<String> nodes = new ArrayList<>();

        public List<String> getNodes() {
            return nodes;
        }

        public void setNodes(List<String> nodes) {
            this.nodes = nodes;
        }
    }
}
