package io.pulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MapBasicsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void everyMutationReachesTheListener() {
        ExampleRun run = ExampleRun.of(REDIS, MapBasics::run);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("setAndWait greeting=bonjour, previous hello, local read now bonjour")
                .contains("setIfAbsent owner=team-a: true, then owner=team-b: false")
                .contains("testAndSet version v1->v2 found v1: now v2")
                .contains("inc visits +5 then -2 = 3")
                .contains("removeValues us-east-1 -> [eu-west-1, ap-south-1]")
                .contains("listener: DELETE version")
                .contains("listener: RESET")
                .contains("map basics: all checks passed");
        assertThat(run.leftKeys()).as("keys left in Redis").isEmpty();
    }
}
