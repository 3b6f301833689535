package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashCheckedStreamTest {

    private final byte[] content = random(200_000);
    private final ContentHash hash = ContentHash.ofBytes(content);
    private final List<String> found = new ArrayList<>();

    @Test
    void contentThatHashesToItsNameReadsThroughUnchanged() throws Exception {
        var out = new ByteArrayOutputStream();
        int handedOut = copy(checked(content), out);

        assertThat(handedOut).isEqualTo(content.length);
        assertThat(out.toByteArray()).isEqualTo(content);
        assertThat(found).isEmpty();
    }

    @Test
    void aChangedByteFailsTheReadBeforeItsLastBytesAreHandedOut() {
        byte[] damaged = content.clone();
        damaged[100] ^= 1;
        var out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> copy(checked(damaged), out)).isInstanceOf(IOException.class)
            .hasMessageContaining(hash.hex()).hasMessageContaining("damaged");
        assertThat(out.size()).as("a client is cut short of the declared length").isLessThan(content.length);
        assertThat(found).singleElement().asString().startsWith("hashes to ");
    }

    @Test
    void aReadAfterTheFailureFailsAgainRatherThanLookingLikeTheEnd() throws Exception {
        byte[] damaged = content.clone();
        damaged[0] ^= 1;
        InputStream in = checked(damaged);
        assertThatThrownBy(() -> in.readAllBytes()).isInstanceOf(IOException.class);
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
        assertThat(found).hasSize(1);
    }

    @Test
    void aCopyShorterOrLongerThanItsObjectFails() {
        assertThatThrownBy(() -> checked(Arrays.copyOf(content, content.length - 1)).readAllBytes())
            .isInstanceOf(IOException.class).hasMessageContaining("holds 199999 bytes, not 200000");
        assertThatThrownBy(() -> checked(Arrays.copyOf(content, content.length + 1)).readAllBytes())
            .isInstanceOf(IOException.class).hasMessageContaining("more than 200000");
    }

    @Test
    void skippedBytesAreHashedToo() throws Exception {
        byte[] damaged = content.clone();
        damaged[10] ^= 1;
        InputStream in = checked(damaged);
        assertThat(in.skip(1000)).isEqualTo(1000);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
    }

    @Test
    void anEmptyBlobIsCheckedAtItsEnd() throws Exception {
        var in = new HashCheckedStream(new ByteArrayInputStream(new byte[0]), ContentHash.ofBytes(new byte[0]), 0, found::add);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(found).isEmpty();
    }

    private InputStream checked(byte[] bytes) {
        return new HashCheckedStream(new ByteArrayInputStream(bytes), hash, content.length, found::add);
    }

    /** Copies as a server writes a response: each piece goes out as soon as a read returns it. */
    private static int copy(InputStream in, ByteArrayOutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        int total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }
}
