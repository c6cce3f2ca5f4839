package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.ClusterLayout;
import io.pulse.core.PulseRedis;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.testing.RedisClusterExtension;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter on a real local Redis Cluster: from Pulse's own seeds and from Spring's
 * {@code spring.data.redis.cluster.nodes}, the connection uses the cluster layout and a declared map
 * works on it.
 */
class PulseClusterAutoConfigurationTest {

    @RegisterExtension
    static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PulseAutoConfiguration.class));

    @Test
    void pulsesClusterSeedsConnectWithTheClusterLayout() {
        String seeds = String.join(",", CLUSTER.seeds());
        runner.withPropertyValues("pulse.redis.cluster=" + seeds, "pulse.maps.cluster-flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PulseRedis redis = context.getBean(PulseRedis.class);
                    assertThat(redis.layout()).isInstanceOf(ClusterLayout.class);
                    ReplicatedMap flags = context.getBean("pulse.map.cluster-flags", ReplicatedMap.class);
                    flags.set("beta", "on");
                    assertThat(CLUSTER.cli().hget(redis.layout().mapContentKey("cluster-flags"), "beta"))
                            .isEqualTo("on");
                });
    }

    @Test
    void springsClusterNodesAreTakenOverWithoutAPulseProperty() {
        String nodes = CLUSTER.ports().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        runner.withPropertyValues("spring.data.redis.cluster.nodes=" + nodes, "pulse.maps.spring-flags.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PulseRedis redis = context.getBean(PulseRedis.class);
                    assertThat(redis.layout()).isInstanceOf(ClusterLayout.class);
                    ReplicatedMap flags = context.getBean("pulse.map.spring-flags", ReplicatedMap.class);
                    flags.set("beta", "on");
                    assertThat(CLUSTER.cli().hget(redis.layout().mapContentKey("spring-flags"), "beta"))
                            .isEqualTo("on");
                });
    }
}
