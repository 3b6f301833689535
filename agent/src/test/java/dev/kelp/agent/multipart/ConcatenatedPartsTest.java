package dev.kelp.agent.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        return new ConcatenatedParts.Piece(Files.writeString(dir.resolve(name), content), content.length());
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
        var shorter = new ConcatenatedParts.Piece(Files.writeString(dir.resolve("s"), "ab"), 3);
        try (var in = new ConcatenatedParts(List.of(shorter))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("holds 2 bytes");
        }
        var longer = new ConcatenatedParts.Piece(Files.writeString(dir.resolve("l"), "abcd"), 3);
        try (var in = new ConcatenatedParts(List.of(longer))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("more than");
        }
    }

    @Test
    void aMissingPartFileIsAnError() {
        var gone = new ConcatenatedParts.Piece(dir.resolve("gone"), 1);
        assertThatThrownBy(() -> {
            try (var in = new ConcatenatedParts(List.of(gone))) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class);
    }
}
