package io.pulse.spring.boot.tests;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * A health indicator's answer, read without naming the Boot line's health types (they differ between
 * Boot 3.5 and 4.0): both lines' {@code HealthIndicator.health()} return a {@code Health} with
 * {@code getStatus()} and {@code getDetails()}.
 *
 * @param status the status code, e.g. {@code UP} or {@code DOWN}
 * @param details the details map
 */
public record ActuatorHealth(String status, Map<String, Object> details) {

    /** Asks {@code indicator} (a Boot 3.5 or 4.0 {@code HealthIndicator}) for its health; blocking. */
    @SuppressWarnings("unchecked")
    public static ActuatorHealth of(Object indicator) {
        try {
            Object health = indicator.getClass().getMethod("health").invoke(indicator);
            Object status = health.getClass().getMethod("getStatus").invoke(health);
            String code = (String) status.getClass().getMethod("getCode").invoke(status);
            return new ActuatorHealth(code, (Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not a health indicator: " + indicator.getClass(), e);
        }
    }

    /** The reasons the check gave for DOWN, joined; empty when none. */
    public String problems() {
        Object problems = details.get("problems");
        return problems == null ? "" : problems.toString();
    }
}
