package io.pulse.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link io.pulse.pool.JobHandler} bean as the handler of workers of a pool declared under
 * {@code pulse.pools.<pool>}: once the application context starts, the pool's node adds
 * {@link #workers()} workers running this handler, and when the context closes the node leaves the pool,
 * handing their jobs to other nodes. Put it on the handler's class or on its {@code @Bean} method.
 *
 * <p>With more than one worker, one handler instance serves them all, so its methods may then run
 * concurrently (for different jobs) and must be thread-safe.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface PulseWorker {

    /** The pool, as named under {@code pulse.pools}; it must not be client-only. */
    String pool();

    /** How many workers run this handler on this node (at least one). */
    int workers() default 1;
}
