package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ObjectTags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectTagsTest {

    private static List<Tag> tags(int n) {
        List<Tag> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Tag("k" + i, "v" + i));
        }
        return list;
    }

    @Test
    void tenTagsAreASetInTheOrderGiven() {
        var set = ObjectTags.of(tags(10));
        assertThat(set).hasSize(10);
        assertThat(set.keySet()).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
        assertThat(ObjectTags.of(List.of())).isEmpty();
    }

    @Test
    void elevenTagsAreRefused() {
        assertThatThrownBy(() -> ObjectTags.of(tags(11))).isInstanceOfSatisfying(InvalidTagException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("InvalidTag");
            assertThat(e.getMessage()).contains("greater than 10");
        });
    }

    @Test
    void keysAndValuesAreCountedInUnicodeCharactersNotBytesOrUtf16Units() {
        // 128 characters of U+1F600 (two UTF-16 units, four UTF-8 bytes each) is a key S3 takes.
        String emojiKey = "\uD83D\uDE00".repeat(128);
        assertThat(ObjectTags.of(List.of(new Tag(emojiKey, "é".repeat(256))))).containsEntry(emojiKey, "é".repeat(256));
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("\uD83D\uDE00".repeat(129), "v"))))
            .isInstanceOf(InvalidTagException.class).hasMessageContaining("TagKey").hasMessageContaining("128");
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("k", "x".repeat(257)))))
            .isInstanceOf(InvalidTagException.class).hasMessageContaining("TagValue").hasMessageContaining("256");
    }

    @Test
    void duplicateEmptyReservedAndControlKeysAreRefused() {
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("a", "1"), new Tag("a", "2"))))
            .isInstanceOf(InvalidTagException.class).hasMessageContaining("same key");
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("", "1")))).isInstanceOf(InvalidTagException.class);
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("aws:owner", "1")))).isInstanceOf(InvalidTagException.class)
            .hasMessageContaining("aws:");
        assertThatThrownBy(() -> ObjectTags.of(List.of(new Tag("line\nbreak", "1")))).isInstanceOf(InvalidTagException.class);
        // An empty value is a tag.
        assertThat(ObjectTags.of(List.of(new Tag("flag", "")))).containsExactly(Map.entry("flag", ""));
    }

    @Test
    void theQueryFormRoundTripsWithEncodedCharacters() {
        Map<String, String> set = ObjectTags.parseQuery("project=kelp&owner=ada%20lovelace&path=a%2Fb%3Dc%26d&empty=");
        assertThat(set).containsExactly(Map.entry("project", "kelp"), Map.entry("owner", "ada lovelace"), Map.entry("path", "a/b=c&d"),
            Map.entry("empty", ""));
        assertThat(ObjectTags.parseQuery(ObjectTags.toQuery(set))).isEqualTo(set);
        assertThat(ObjectTags.parseQuery(null)).isEmpty();
        assertThat(ObjectTags.parseQuery("")).isEmpty();
    }

    @Test
    void aBadQueryIsAnInvalidTagAsWell() {
        assertThatThrownBy(() -> ObjectTags.parseQuery("a=%zz")).isInstanceOf(InvalidTagException.class).hasMessageContaining("URL-encoded");
        assertThatThrownBy(() -> ObjectTags.parseQuery("a=1&a=2")).isInstanceOf(InvalidTagException.class).hasMessageContaining("same key");
        String eleven = String.join("&", tags(11).stream().map(t -> t.key() + "=" + t.value()).toList());
        assertThatThrownBy(() -> ObjectTags.parseQuery(eleven)).isInstanceOf(InvalidTagException.class);
    }
}
