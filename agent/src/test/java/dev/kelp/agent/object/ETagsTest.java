package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ETagsTest {

    private final ContentHash hash = ContentHash.ofBytes("hello".getBytes());

    @Test
    void etagIsTheQuotedSha256() {
        assertThat(ETags.of(hash)).isEqualTo("\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"");
    }

    @Test
    void matchesStarQuotedWeakAndListedTags() {
        assertThat(ETags.matches("*", Optional.of(hash))).isTrue();
        assertThat(ETags.matches(ETags.of(hash), Optional.of(hash))).isTrue();
        assertThat(ETags.matches("W/" + ETags.of(hash), Optional.of(hash))).isTrue();
        assertThat(ETags.matches("\"other\", " + ETags.of(hash), Optional.of(hash))).isTrue();
        assertThat(ETags.matches("\"other\"", Optional.of(hash))).isFalse();
        assertThat(ETags.matches("*", Optional.empty())).isFalse();
    }
}
