package io.pulse.spring.boot.autoconfigure;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Stream;
import java.util.Map;
import java.util.function.BiFunction;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers one bean per map, stream and pool declared under {@code pulse.maps}, {@code pulse.streams}
 * and {@code pulse.pools}: bean names {@code pulse.map.<name>}, {@code pulse.stream.<name>} and
 * {@code pulse.node.<name>}, each qualified by the component's name, so
 * {@code @Qualifier("feature-flags") ReplicatedMap flags} injects the map {@code feature-flags}. Each bean
 * is made from the context's {@link PulseRedis} bean and registered as depending on it, so that Spring
 * destroys it before the connection. Runs once, while the context is being refreshed.
 */
final class PulseComponentRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, BeanFactoryAware {

    static final String MAP_BEAN_PREFIX = "pulse.map.";
    static final String STREAM_BEAN_PREFIX = "pulse.stream.";
    static final String NODE_BEAN_PREFIX = "pulse.node.";

    private Environment environment;
    private ConfigurableListableBeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    /** The {@code pulse.*} settings as they stand in the environment. */
    static PulseProperties bind(Environment environment) {
        return Binder.get(environment).bind(PulseProperties.PREFIX, PulseProperties.class)
                .orElseGet(PulseProperties::new);
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        PulseProperties properties = bind(environment);
        register(registry, properties.getMaps(), MAP_BEAN_PREFIX, ReplicatedMap.class,
                (name, options) -> PulseComponents.map(name, options, redisFor(MAP_BEAN_PREFIX + name)));
        register(registry, properties.getStreams(), STREAM_BEAN_PREFIX, Stream.class,
                (name, options) -> PulseComponents.stream(name, options, redisFor(STREAM_BEAN_PREFIX + name)));
        register(registry, properties.getPools(), NODE_BEAN_PREFIX, Node.class,
                (name, options) -> PulseComponents.node(name, options, redisFor(NODE_BEAN_PREFIX + name)));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // everything happens when the definitions are registered
    }

    private <O extends ComponentOptions, T> void register(BeanDefinitionRegistry registry, Map<String, O> declared,
            String prefix, Class<T> type, BiFunction<String, O, T> factory) {
        declared.forEach((name, options) -> {
            if (!options.isEnabled()) {
                return;
            }
            RootBeanDefinition definition = new RootBeanDefinition(type, () -> factory.apply(name, options));
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            // ReplicatedMap and Node are closed with the context; a Stream is a handle with nothing to close
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            registry.registerBeanDefinition(prefix + name, definition);
        });
    }

    /** The context's PulseRedis, recorded as a dependency of {@code beanName} for the order of destruction. */
    private PulseRedis redisFor(String beanName) {
        PulseRedis redis = beanFactory.getBean(PulseRedis.class);
        for (String redisBean : beanFactory.getBeanNamesForType(PulseRedis.class)) {
            if (beanFactory.getBean(redisBean) == redis) {
                beanFactory.registerDependentBean(redisBean, beanName);
            }
        }
        return redis;
    }
}
