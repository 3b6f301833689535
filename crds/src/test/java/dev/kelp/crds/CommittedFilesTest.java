package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed copies of generated files are what the build generates now. */
class CommittedFilesTest {

    private static final Path ROOT = ProvingGround.repoRoot();

    static Stream<Path> committedFiles() {
        return CommittedFiles.expected().keySet().stream();
    }

    static Stream<Path> crdDirectories() {
        return CommittedFiles.CRD_DIRECTORIES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("committedFiles")
    void committedCopyMatchesWhatTheBuildGenerates(Path file) throws IOException {
        Path committed = ROOT.resolve(file);
        assertThat(Files.exists(committed))
            .as("%s is missing. Generate the committed copies with:%n  %s", file, CommittedFiles.REFRESH_COMMAND)
            .isTrue();
        assertThat(Files.readString(committed))
            .as("%s is stale: it differs from what the build now generates from crds/src/main/java (the model changed, or the copy was edited by hand). Refresh the committed copies with:%n  %s",
                file, CommittedFiles.REFRESH_COMMAND)
            .isEqualTo(CommittedFiles.expected().get(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crdDirectories")
    void noCommittedCrdOutlivesItsKind(Path directory) {
        var expected = CommittedFiles.expected().keySet().stream()
            .filter(f -> directory.equals(f.getParent()))
            .map(f -> ROOT.resolve(f))
            .toList();

        assertThat(CommittedFiles.crdFilesIn(ROOT.resolve(directory)))
            .as("%s holds CRD files no kind generates. Refresh the committed copies with:%n  %s",
                directory, CommittedFiles.REFRESH_COMMAND)
            .containsExactlyInAnyOrderElementsOf(expected);
    }
}
