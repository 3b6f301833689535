package dev.kelp.agent.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kelp.agent.blob.InsufficientStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void writeAtomicallyLeavesTheContentUnderItsNameAndNoTempFile() throws IOException {
        Path target = dir.resolve("entry");
        DurableFiles.writeAtomically(target, "first".getBytes(StandardCharsets.UTF_8));
        DurableFiles.writeAtomically(target, "second".getBytes(StandardCharsets.UTF_8));

        assertThat(target).hasContent("second");
        assertThat(dir.resolve("entry" + DurableFiles.TEMP_SUFFIX)).doesNotExist();
    }

    @Test
    void createDirectoriesCreatesEveryMissingLevel() throws IOException {
        Path deep = dir.resolve("a/b/c");

        DurableFiles.createDirectories(deep);
        DurableFiles.createDirectories(deep);

        assertThat(deep).isDirectory();
    }

    @Test
    void aFullDiskBecomes507AndOtherErrorsStayIoErrors() {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs Linux's /dev/full, which fails every write with ENOSPC");
        IOException enospc = catchThrowableOfType(IOException.class, () -> {
            try (var channel = FileChannel.open(full, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[4096]));
            }
        });

        assertThat(DurableFiles.isOutOfSpace(enospc)).isTrue();
        assertThat(DurableFiles.writeFailure(enospc, "writing"))
            .isInstanceOfSatisfying(InsufficientStorageException.class, e -> assertThat(e.status()).isEqualTo(507));
        assertThat(DurableFiles.writeFailure(new IOException("Input/output error"), "writing"))
            .isInstanceOf(UncheckedIOException.class);
    }
}
