package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicsAndPatternsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void readersAndSinksKeepOnlyTheirTopics() {
        ExampleRun run = ExampleRun.of(REDIS, TopicsAndPatterns::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("reader topic(\"eu.fr\")            got [order-1, order-4]")
                .contains("got [order-1, order-2, order-4]")
                .contains("got [order-1, order-2, order-3, order-4, order-5, order-6]")
                .contains("got [order-3, order-5]")
                .contains("the sink has nothing pending afterwards: true")
                .contains("topics and patterns: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
