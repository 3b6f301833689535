package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docs/api-reference.md is the OpenAPI document the build generates from the controllers,
 * rendered for people; this test fails when the two drift apart. Refresh the page with
 * {@code mvn -pl agent test -Dtest=ApiReferenceTest -Dkelp.docs.update=true}.
 */
class ApiReferenceTest {

    private static final Path PAGE = Path.of("docs/api-reference.md");
    private static final List<String> METHODS = List.of("get", "put", "post", "delete");

    @Test
    void theApiReferenceIsTheGeneratedDocument() throws Exception {
        String rendered = render(document());
        Path page = ProvingGround.repoRoot().resolve(PAGE);
        if (Boolean.getBoolean("kelp.docs.update")) {
            Files.writeString(page, rendered);
        }
        assertThat(Files.exists(page) ? Files.readString(page) : "")
            .as("%s is stale: run mvn -pl agent test -Dtest=ApiReferenceTest -Dkelp.docs.update=true", PAGE)
            .isEqualTo(rendered);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> document() throws Exception {
        try (InputStream in = ApiReferenceTest.class.getResourceAsStream("/META-INF/swagger/kelp-agent-api-v1.yml")) {
            return new Yaml().load(in);
        }
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> doc) {
        var info = (Map<String, Object>) doc.get("info");
        var out = new StringBuilder();
        out.append("# Agent API reference\n\n")
            .append("<!-- Generated from the OpenAPI document the build makes from the controllers (")
            .append("agent/target/classes/META-INF/swagger/kelp-agent-api-v1.yml, served by the agent under /openapi/); ")
            .append("refresh with: mvn -pl agent test -Dtest=ApiReferenceTest -Dkelp.docs.update=true -->\n\n")
            .append(info.get("description")).append("\n\n")
            .append("Base URL: `http://127.0.0.1:8780` (the pod's loopback; `agent.port` of the policy). ")
            .append("Errors are JSON `{\"code\": ..., \"message\": ...}` with the status below. ")
            .append("With `kelp.api.token` set, every call needs `Authorization: Bearer <token>` (signed URLs excepted).\n\n");
        var paths = new TreeMap<String, Map<String, Object>>((Map<String, Map<String, Object>>) doc.get("paths"));
        out.append("| method | path | what |\n| --- | --- | --- |\n");
        paths.forEach((path, operations) -> METHODS.stream().filter(operations::containsKey).forEach(m ->
            out.append("| ").append(m.toUpperCase()).append(" | `").append(path).append("` | ")
                .append(cell(((Map<String, Object>) operations.get(m)).get("summary"))).append(" |\n")));
        paths.forEach((path, operations) -> METHODS.stream().filter(operations::containsKey).forEach(m -> {
            var op = (Map<String, Object>) operations.get(m);
            out.append("\n## ").append(m.toUpperCase()).append(' ').append(path).append("\n\n");
            out.append(op.get("summary")).append(".");
            if (op.get("description") != null) {
                out.append(' ').append(op.get("description"));
            }
            out.append("\n");
            var parameters = (List<Map<String, Object>>) op.getOrDefault("parameters", List.of());
            if (!parameters.isEmpty()) {
                out.append("\n| parameter | in | required | type | meaning |\n| --- | --- | --- | --- | --- |\n");
                for (var p : parameters) {
                    var schema = (Map<String, Object>) p.getOrDefault("schema", Map.of());
                    out.append("| `").append(p.get("name")).append("` | ").append(p.get("in")).append(" | ")
                        .append(Boolean.TRUE.equals(p.get("required")) ? "yes" : "no").append(" | ")
                        .append(schema.getOrDefault("type", "")).append(schema.containsKey("default") ? " (default " + schema.get("default") + ")" : "")
                        .append(" | ").append(cell(p.get("description"))).append(" |\n");
                }
            }
            var body = (Map<String, Object>) op.get("requestBody");
            if (body != null) {
                var content = (Map<String, Object>) body.get("content");
                out.append("\nRequest body: ").append(String.join(", ", content.keySet().stream().map(k -> "`" + k + "`").toList()));
                content.values().stream().map(v -> (Map<String, Object>) ((Map<String, Object>) v).get("schema"))
                    .filter(s -> s != null && s.get("$ref") != null).findFirst()
                    .ifPresent(s -> out.append(" (").append(ref(s.get("$ref"))).append(")"));
                out.append(".\n");
            }
            var responses = new TreeMap<String, Map<String, Object>>((Map<String, Map<String, Object>>) op.get("responses"));
            out.append("\n| status | meaning |\n| --- | --- |\n");
            responses.forEach((status, r) -> out.append("| ").append(status).append(" | ").append(cell(r.get("description"))).append(" |\n"));
        }));
        var schemas = (Map<String, Map<String, Object>>) ((Map<String, Object>) doc.getOrDefault("components", Map.of())).getOrDefault("schemas", Map.of());
        if (!schemas.isEmpty()) {
            out.append("\n## Schemas\n");
            new TreeMap<>(schemas).forEach((name, schema) -> {
                out.append("\n### ").append(name).append("\n\n");
                if (schema.get("description") != null) {
                    out.append(schema.get("description")).append(".\n\n");
                }
                var properties = (Map<String, Map<String, Object>>) schema.getOrDefault("properties", Map.of());
                out.append("| field | type | meaning |\n| --- | --- | --- |\n");
                properties.forEach((field, p) -> out.append("| `").append(field).append("` | ")
                    .append(p.get("$ref") != null ? ref(p.get("$ref")) : p.getOrDefault("type", "")
                        + (p.get("format") != null ? " (" + p.get("format") + ")" : ""))
                    .append(" | ").append(cell(p.get("description"))).append(" |\n"));
            });
        }
        return out.toString();
    }

    private static String ref(Object ref) {
        String name = ref.toString().substring(ref.toString().lastIndexOf('/') + 1);
        return "[" + name + "](#" + name.toLowerCase() + ")";
    }

    private static String cell(Object text) {
        return text == null ? "" : text.toString().replace("|", "\\|").replace("\n", " ");
    }
}
