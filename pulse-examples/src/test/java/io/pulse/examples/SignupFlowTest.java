package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SignupFlowTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void theWholeFlowChecksOut() {
        ExampleRun run = ExampleRun.of(REDIS, SignupFlow::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("[analytics] user.created ada")
                .contains("[audit]     recorded user.created ken")
                .contains("with template welcome-v1")
                .contains("[admin] email-a and email-b both read welcome-v2: true")
                .contains("with template welcome-v2")
                .contains("[ops] email-a leaves the pool with 4 jobs")
                .contains("moved here; welcome mail already sent")
                .contains("analytics saw:           8/8 user.created events")
                .contains("audit recorded (acked):  8/8")
                .contains("welcome emails started:  8/8")
                .contains("email-a left; its 4 jobs restarted on email-b: true")
                .contains("every check passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
