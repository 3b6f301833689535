package dev.kelp.agent.metadata;

import java.util.Comparator;

/**
 * Key order as S3 lists keys and as PostgreSQL sorts them under {@code COLLATE "C"}: by the
 * UTF-8 bytes, which is the order of Unicode code points. Used where the journal's pending keys
 * are merged into a page the database sorted.
 */
enum KeyOrder implements Comparator<String> {
    INSTANCE;

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
