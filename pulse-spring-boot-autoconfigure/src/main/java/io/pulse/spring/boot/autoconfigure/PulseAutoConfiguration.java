package io.pulse.spring.boot.autoconfigure;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The part of Pulse's auto-configuration that is the same on every supported Boot line: the
 * {@link PulseRedis} bean (unless the application defines its own), the maps, streams and nodes declared
 * under {@code pulse.*}, and the lifecycle that runs the {@code @PulseWorker} handlers. The Actuator
 * pieces, whose Spring types differ between Boot 3.5 and 4.0, live in their own auto-configurations.
 *
 * <p>Shutdown order: the nodes leave their pools in {@link PulsePools#stop()} (a lifecycle phase, before
 * any bean is destroyed), then maps and nodes are closed as beans that depend on the connection, and the
 * {@code PulseRedis} bean is closed last.
 */
@AutoConfiguration
@ConditionalOnClass({PulseRedis.class, Node.class})
@EnableConfigurationProperties(PulseProperties.class)
public class PulseAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PulseAutoConfiguration.class);

    /**
     * Connects to the Redis {@link RedisTarget} resolves; blocks until connected.
     *
     * @throws io.pulse.core.PulseException if Redis cannot be reached (the context does not start)
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public PulseRedis pulseRedis(PulseProperties properties, Environment environment,
            ObjectProvider<PulseRedisBuilderCustomizer> customizers) {
        LettuceVersionCheck.requireSupported();
        RedisTarget target = RedisTarget.resolve(properties.getRedis(), environment);
        PulseRedis.Builder builder = target.cluster() ? PulseRedis.clusterBuilder(target.uris())
                : PulseRedis.builder(target.uri());
        if (properties.getRedis().getCommandTimeout() != null) {
            builder.commandTimeout(properties.getRedis().getCommandTimeout());
        }
        if (properties.getRedis().getReconnectWait() != null) {
            builder.reconnectWait(properties.getRedis().getReconnectWait());
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        LOG.atInfo().addKeyValue("redis", target.redacted()).addKeyValue("from", target.source())
                .log("Pulse connects to Redis");
        return builder.connect();
    }

    /** Registers the declared maps, streams and nodes; static, as it runs before other beans exist. */
    @Bean
    static PulseComponentRegistrar pulseComponentRegistrar() {
        return new PulseComponentRegistrar();
    }

    @Bean
    @ConditionalOnMissingBean
    public PulsePools pulsePools(ListableBeanFactory beans, PulseProperties properties) {
        return new PulsePools(beans, properties);
    }
}
