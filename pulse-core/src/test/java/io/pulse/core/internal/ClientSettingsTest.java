package io.pulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.internal.LettuceFactories;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

    @Test
    void requestQueuesAreNotPreallocatedPerConnection() {
        ClientOptions options = ClientSettings.apply(ClientOptions.create(), Duration.ofSeconds(1));

        // the queues Lettuce builds for each connection from this bound
        assertThat(LettuceFactories.newConcurrentQueue(options.getRequestQueueSize()))
                .isNotInstanceOf(ArrayBlockingQueue.class);
        assertThat(options.getRequestQueueSize()).isLessThan(Integer.MAX_VALUE);
    }
}
