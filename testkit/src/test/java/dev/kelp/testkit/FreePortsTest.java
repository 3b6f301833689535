package dev.kelp.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.take();
            assertThat(port).isBetween(FreePorts.LOWEST, FreePorts.HIGHEST);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    @Test
    void aPairIsTwoAdjacentPortsAProcessCanBind() throws Exception {
        int first = FreePorts.takePair();
        try (var a = new ServerSocket(); var b = new ServerSocket()) {
            a.bind(new InetSocketAddress(first));
            b.bind(new InetSocketAddress(first + 1));
        }
        assertThat(first + 1).isLessThanOrEqualTo(FreePorts.HIGHEST);
    }

    @Test
    void aPortSomethingListensOnIsNotBindable() throws Exception {
        int port = FreePorts.take();
        try (var listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(port));
            assertThat(FreePorts.bindable(port)).isFalse();
        }
    }
}
