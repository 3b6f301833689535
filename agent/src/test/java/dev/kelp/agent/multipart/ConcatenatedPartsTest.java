package dev.kelp.agent.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcatenatedPartsTest {

    @TempDir
    Path dir;

    private ConcatenatedParts.Piece piece(String name, String content) throws IOException {
        return new ConcatenatedParts.Piece(1, Files.writeString(dir.resolve(name), content), content.length(), hashOf(content));
    }

    private static ContentHash hashOf(String content) {
        return ContentHash.ofBytes(content.getBytes());
    }

    @Test
    void readsThePartsInOrderAsOneStream() throws IOException {
        try (var in = new ConcatenatedParts(List.of(piece("1", "abc"), piece("2", ""), piece("3", "defg")))) {
            assertThat(in.read()).isEqualTo('a');
            assertThat(new String(in.readAllBytes())).isEqualTo("bcdefg");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aPartShorterOrLongerOnDiskThanRecordedIsAnError() throws IOException {
        var shorter = new ConcatenatedParts.Piece(1, Files.writeString(dir.resolve("s"), "ab"), 3, hashOf("abc"));
        try (var in = new ConcatenatedParts(List.of(shorter))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("holds 2 bytes");
        }
        var longer = new ConcatenatedParts.Piece(1, Files.writeString(dir.resolve("l"), "abcd"), 3, hashOf("abc"));
        try (var in = new ConcatenatedParts(List.of(longer))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("more than");
        }
    }

    @Test
    void aPartWhoseBytesChangedOnDiskIsAnError() throws IOException {
        // Same size, one bit different: bit rot, or someone editing the volume.
        var flipped = new ConcatenatedParts.Piece(2, Files.writeString(dir.resolve("f"), "abd"), 3, hashOf("abc"));
        try (var in = new ConcatenatedParts(List.of(piece("ok", "xyz"), flipped))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(ConcatenatedParts.DamagedPartException.class,
                e -> assertThat(e.partNumber()).isEqualTo(2)).hasMessageContaining("SHA-256");
        }
    }

    @Test
    void aMissingPartFileIsAnError() {
        var gone = new ConcatenatedParts.Piece(1, dir.resolve("gone"), 1, hashOf("a"));
        assertThatThrownBy(() -> {
            try (var in = new ConcatenatedParts(List.of(gone))) {
                in.readAllBytes();
            }
        }).isInstanceOf(ConcatenatedParts.DamagedPartException.class).hasMessageContaining("missing");
    }
}
