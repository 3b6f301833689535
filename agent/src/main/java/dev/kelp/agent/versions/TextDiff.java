package dev.kelp.agent.versions;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.kelp.agent.object.KelpException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A unified diff of two versions of a text object (java-diff-utils). Text means valid UTF-8
 * without NUL bytes, whatever the declared content type: a type says what a client meant, the
 * bytes say whether a line diff means anything.
 */
public final class TextDiff {

    private static final int CONTEXT_LINES = 3;

    private TextDiff() {
    }

    /** The unified diff from {@code from} to {@code to} (empty when they are equal). */
    public static String unified(String fromName, byte[] from, String toName, byte[] to) {
        List<String> before = lines(fromName, from);
        List<String> after = lines(toName, to);
        var patch = DiffUtils.diff(before, after);
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, before, patch, CONTEXT_LINES);
        return diff.isEmpty() ? "" : String.join("\n", diff) + "\n";
    }

    /** The content as lines; refuses (415) content that is not text. */
    static List<String> lines(String name, byte[] content) {
        for (byte b : content) {
            if (b == 0) {
                throw notText(name, "it contains NUL bytes");
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(content)).toString();
            return text.lines().toList();
        } catch (CharacterCodingException e) {
            throw notText(name, "it is not valid UTF-8");
        }
    }

    private static KelpException notText(String name, String why) {
        return new KelpException(415, "NotText", "cannot diff " + name + ": " + why + " (only text objects can be diffed)");
    }
}
