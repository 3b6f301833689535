package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "cards/2026/birthday.html", "images/bg 1.png", "ünïcödé/ключ", "emoji/🌿.txt", "a.b/c..d/e...f"})
    void ordinaryKeysAreAccepted(String key) {
        assertThat(ObjectKeys.requireValidKey(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../etc/passwd", "a/../../b", "a/./b", "./a", "a/..", "/absolute", "a//b", "trailing/"})
    void traversalAndAmbiguousSegmentsAreRefused(String key) {
        assertThatThrownBy(() -> ObjectKeys.requireValidKey(key)).isInstanceOf(InvalidKeyException.class)
            .satisfies(e -> assertThat(((KelpException) e).status()).isEqualTo(400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "line\nbreak", "tab\there", "bell\u0007", "del\u007f", "c1\u0085"})
    void controlCharactersAreRefusedWithTheirPosition(String key) {
        assertThatThrownBy(() -> ObjectKeys.requireValidKey(key)).isInstanceOf(InvalidKeyException.class)
            .hasMessageContaining("control character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"back\\slash", "..\\windows"})
    void backslashesAreRefused(String key) {
        assertThatThrownBy(() -> ObjectKeys.requireValidKey(key)).isInstanceOf(InvalidKeyException.class);
    }

    @org.junit.jupiter.api.Test
    void keysAreLimitedTo1024BytesOfUtf8NotCharacters() {
        assertThat(ObjectKeys.requireValidKey("k".repeat(1024))).hasSize(1024);
        assertThatThrownBy(() -> ObjectKeys.requireValidKey("k".repeat(1025))).hasMessageContaining("1024 bytes");
        // 342 three-byte characters = 1026 bytes.
        assertThatThrownBy(() -> ObjectKeys.requireValidKey("€".repeat(342))).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> ObjectKeys.requireValidKey("")).hasMessageContaining("empty");
    }

    @org.junit.jupiter.api.Test
    void unpairedSurrogatesAreRefused() {
        assertThatThrownBy(() -> ObjectKeys.requireValidKey("bad\uD800key")).hasMessageContaining("surrogate");
        assertThat(ObjectKeys.requireValidKey("ok\uD83C\uDF3F")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "UPPER", "-lead", "trail-", "has_underscore", "has space", "../x"})
    void badBucketNamesAreRefused(String bucket) {
        assertThatThrownBy(() -> ObjectKeys.requireValidBucket(bucket)).isInstanceOf(InvalidKeyException.class);
    }
}
