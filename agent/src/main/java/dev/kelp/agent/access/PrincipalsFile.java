package dev.kelp.agent.access;

import dev.kelp.agent.access.Principals.S3Key;
import dev.kelp.agent.config.ByteSizeConverter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the principals file (YAML or JSON, docs/access-control.md): a list of owners, each with
 * bearer tokens, S3 access keys and an optional quota. Every mistake is refused with a message
 * naming where it is; nothing half-read is ever used.
 *
 * <pre>
 * owners:
 *   - name: alice
 *     tokens: [alice-token-1]
 *     s3Keys:
 *       - accessKeyId: AKALICE
 *         secretAccessKey: alice-secret
 *     quota: {maxBytes: 10GiB, maxObjects: 100000}
 * </pre>
 */
public final class PrincipalsFile {

    /** Owner names as Kubernetes names things: they appear in metrics, events and the audit trail. */
    private static final Pattern OWNER = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Za-z0-9._-]{3,128}");
    private static final int MIN_TOKEN_LENGTH = 16;

    private PrincipalsFile() {
    }

    /** Thrown for a file that cannot be used, with what is wrong and where. */
    public static final class InvalidPrincipalsException extends IllegalArgumentException {
        InvalidPrincipalsException(String message) {
            super(message);
        }
    }

    public static Principals parse(String text) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new InvalidPrincipalsException("the principals file is not YAML or JSON: " + e.getMessage());
        }
        if (root == null) {
            return Principals.NONE;
        }
        Map<?, ?> top = map(root, "the principals file");
        unknownKeys(top, "the principals file", "owners");
        Object owners = top.get("owners");
        if (owners == null) {
            return Principals.NONE;
        }
        if (!(owners instanceof List<?> list)) {
            throw new InvalidPrincipalsException("owners must be a list of owners");
        }
        Map<String, Caller> tokens = new HashMap<>();
        Map<String, S3Key> keys = new LinkedHashMap<>();
        Map<String, OwnerQuota> quotas = new LinkedHashMap<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "owners[" + i + "]";
            Map<?, ?> owner = map(list.get(i), where);
            unknownKeys(owner, where, "name", "tokens", "s3Keys", "quota");
            String name = string(owner.get("name"), where + ".name");
            if (!OWNER.matcher(name).matches()) {
                throw new InvalidPrincipalsException(where + ".name '" + name + "' must be 1 to 63 lower-case letters, digits, '.', '_'"
                    + " or '-', starting and ending with a letter or digit");
            }
            if (!names.add(name)) {
                throw new InvalidPrincipalsException(where + ": owner " + name + " is listed twice");
            }
            List<?> ownerTokens = list(owner.get("tokens"), where + ".tokens");
            for (int t = 0; t < ownerTokens.size(); t++) {
                String token = string(ownerTokens.get(t), where + ".tokens[" + t + "]");
                if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                    throw new InvalidPrincipalsException(where + ".tokens[" + t + "] must be at least " + MIN_TOKEN_LENGTH
                        + " printable ASCII characters without spaces");
                }
                String sha = Principals.sha256(token);
                // A label for the audit trail that names the token without giving it away.
                Caller previous = tokens.put(sha, Caller.of(name, "token:" + sha.substring(0, 12)));
                if (previous != null) {
                    throw new InvalidPrincipalsException(where + ".tokens[" + t + "] is also a token of owner " + previous.owner());
                }
            }
            List<?> ownerKeys = list(owner.get("s3Keys"), where + ".s3Keys");
            for (int k = 0; k < ownerKeys.size(); k++) {
                String kw = where + ".s3Keys[" + k + "]";
                Map<?, ?> key = map(ownerKeys.get(k), kw);
                unknownKeys(key, kw, "accessKeyId", "secretAccessKey");
                String id = string(key.get("accessKeyId"), kw + ".accessKeyId");
                if (!ACCESS_KEY_ID.matcher(id).matches()) {
                    throw new InvalidPrincipalsException(kw + ".accessKeyId must be 3 to 128 letters, digits, '.', '_' or '-'");
                }
                String secret = string(key.get("secretAccessKey"), kw + ".secretAccessKey");
                if (secret.length() < 8) {
                    throw new InvalidPrincipalsException(kw + ".secretAccessKey must be at least 8 characters");
                }
                S3Key previous = keys.put(id, new S3Key(id, secret, Caller.of(name, "s3:" + id)));
                if (previous != null) {
                    throw new InvalidPrincipalsException(kw + ": access key id " + id + " is also a key of owner " + previous.caller().owner());
                }
            }
            if (owner.get("quota") != null) {
                Map<?, ?> quota = map(owner.get("quota"), where + ".quota");
                unknownKeys(quota, where + ".quota", "maxBytes", "maxObjects");
                quotas.put(name, new OwnerQuota(size(quota.get("maxBytes"), where + ".quota.maxBytes"),
                    count(quota.get("maxObjects"), where + ".quota.maxObjects")));
            }
        }
        return new Principals(tokens, keys, quotas);
    }

    private static Map<?, ?> map(Object value, String where) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new InvalidPrincipalsException(where + " must be a mapping");
    }

    private static List<?> list(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return l;
        }
        throw new InvalidPrincipalsException(where + " must be a list");
    }

    private static String string(Object value, String where) {
        if (value == null) {
            throw new InvalidPrincipalsException(where + " is required");
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw new InvalidPrincipalsException(where + " must be a non-empty string");
        }
        return s;
    }

    private static long size(Object value, String where) {
        if (value == null) {
            return 0;
        }
        try {
            long bytes = value instanceof Number n ? n.longValue() : ByteSizeConverter.parse(value.toString());
            if (bytes < 0) {
                throw new InvalidPrincipalsException(where + " cannot be negative");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidPrincipalsException i ? i : new InvalidPrincipalsException(where + ": " + e.getMessage());
        }
    }

    private static long count(Object value, String where) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number n && !(value instanceof Double) && n.longValue() >= 0) {
            return n.longValue();
        }
        throw new InvalidPrincipalsException(where + " must be a whole number, 0 or more");
    }

    private static void unknownKeys(Map<?, ?> map, String where, String... known) {
        List<String> allowed = List.of(known);
        for (Object k : map.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new InvalidPrincipalsException(where + " has an unknown field '" + k + "' (known: " + String.join(", ", allowed) + ")");
            }
        }
    }
}
