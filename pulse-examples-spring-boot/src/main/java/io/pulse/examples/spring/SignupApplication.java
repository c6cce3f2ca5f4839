package io.pulse.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The signup flow of Pulse's demo as a Spring Boot web service. {@code POST /signups} records a signup:
 * it reads the {@code welcome-email} flag from the {@code feature-flags} replicated map, adds a
 * {@code user.created} event to the {@code users} stream (which the {@link SignupAudit} sink consumes)
 * and dispatches a {@code welcome:<user>} job to the {@code email} pool, whose worker is the
 * {@link WelcomeEmailWorker} bean. {@code GET /signups/<user>} shows what each part did;
 * {@code /actuator/health} shows Pulse's state. Every instance of the service shares the maps, the
 * stream and the pool through Redis; all of it is declared in {@code application.yml}.
 */
@SpringBootApplication
public class SignupApplication {

    public static void main(String[] args) {
        SpringApplication.run(SignupApplication.class, args);
    }
}
