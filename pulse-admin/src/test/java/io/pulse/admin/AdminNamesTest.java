package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.core.GoPulseLayout;
import io.pulse.core.KeyLayout;
import org.junit.jupiter.api.Test;

/** The tools recognise pools, streams and maps from the keys of Go Pulse's layout. */
class AdminNamesTest {

    private static final KeyLayout LAYOUT = new GoPulseLayout();
    private static final AdminNames NAMES = new AdminNames(LAYOUT);

    @Test
    void poolAndStreamNamesAreRecognisedFromTheirKeys() {
        assertThat(LAYOUT.mapOfContentKey("map:shop:workers:content")).contains("shop:workers");
        assertThat(LAYOUT.mapOfContentKey("map::content")).isEmpty();
        assertThat(LAYOUT.poolMapOf("shop:workers").map(KeyLayout.PoolMapName::pool)).contains("shop");
        assertThat(LAYOUT.poolMapOf("shop:hourly").map(KeyLayout.PoolMapName::pool)).isEmpty();
        assertThat(LAYOUT.poolOfPoolStream("shop:pool")).contains("shop");
        assertThat(NAMES.isPoolInternalStream("shop:node:N1", java.util.Set.of("shop"))).isTrue();
        assertThat(NAMES.isPoolInternalStream("orders:node:N1", java.util.Set.of("shop"))).isFalse();
        assertThat(LAYOUT.isStreamStateMap("sink:audit:keepalive")).isTrue();
    }
}
