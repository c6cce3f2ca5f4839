package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo as {@code exec:java} runs it: it finds (or starts) its own Redis. */
class QuickStartTest {

    @Test
    void quickStartRunsTheSignupFlowToTheEnd() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            exit = QuickStart.run(out);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).containsPattern("Using the Redis|No Redis on localhost:6379, so the demo started its own")
                .contains("[signup-api] ada signed up")
                .contains("[ops] email-a leaves the pool")
                .contains("email-a left; its 4 jobs restarted on email-b: true")
                .contains("every check passed")
                .contains("finished in");
    }
}
