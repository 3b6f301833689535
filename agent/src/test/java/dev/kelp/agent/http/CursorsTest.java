package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.KelpException;
import org.junit.jupiter.api.Test;

class CursorsTest {

    @Test
    void roundTripsAnyKey() {
        String key = "cards/ünï cödé/🌿?&=";
        assertThat(Cursors.decode(Cursors.encode(key))).isEqualTo(key);
        assertThat(Cursors.decode("")).isNull();
    }

    @Test
    void aForgedCursorIsA400() {
        assertThatThrownBy(() -> Cursors.decode("not base64!")).isInstanceOf(KelpException.class)
            .satisfies(e -> assertThat(((KelpException) e).status()).isEqualTo(400));
    }
}
