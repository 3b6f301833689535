package dev.kelp.operator.walkthrough;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a kubelet would do with one container of a stored pod, done by hand on this machine,
 * which runs no kubelet: the container's command becomes a local process, its environment is
 * resolved as the kubelet resolves it ({@code value}, {@code fieldRef} from the pod's
 * metadata, {@code secretKeyRef} read from the Secret through the API server), and the paths
 * the container would see through its volume mounts are remapped to host directories.
 *
 * <p>What it does NOT do, and a real kubelet would: pull and run the image (the local jar or
 * script stands in for it), apply the security context (uid, read-only root), probe, restart,
 * or confine the process in a cgroup (the memory limit is passed to the JVM as
 * {@code -XX:MaxRAM} instead, so the heap is sized as in the container).
 */
final class KubeletStandIn {

    private final KubernetesClient client;
    private final ObjectMeta pod;
    private final Map<String, Path> mounts = new LinkedHashMap<>();
    private final Map<String, String> executables = new LinkedHashMap<>();

    /** @param pod the metadata {@code fieldRef}s read: the stored pod's, or the one a Deployment's pod would get */
    KubeletStandIn(KubernetesClient client, ObjectMeta pod) {
        this.client = client;
        this.pod = pod;
    }

    /** A path the container sees (a volume mount, a file of the image) and the host path standing in for it. */
    KubeletStandIn mount(String containerPath, Path hostPath) {
        mounts.put(containerPath, hostPath);
        return this;
    }

    /** A program the image has on its PATH (e.g. {@code java}) and the host's one to run instead. */
    KubeletStandIn executable(String name, String hostPath) {
        executables.put(name, hostPath);
        return this;
    }

    /** The container's environment as the kubelet would hand it to the process, paths remapped. */
    Map<String, String> environment(Container container) {
        var env = new LinkedHashMap<String, String>();
        for (EnvVar var : container.getEnv()) {
            String value = resolve(var);
            if (value != null) {
                env.put(var.getName(), remap(value));
            }
        }
        return env;
    }

    /**
     * The container's process: its {@code command} + {@code args}, or {@code entrypoint} (the
     * image's, for a container that names none), with executables and paths remapped.
     */
    ProcessBuilder process(Container container, List<String> entrypoint) {
        var argv = new ArrayList<String>();
        List<String> command = container.getCommand() == null || container.getCommand().isEmpty() ? entrypoint : container.getCommand();
        for (String word : command) {
            argv.add(argv.isEmpty() ? executables.getOrDefault(word, word) : remap(word));
        }
        if (container.getArgs() != null) {
            container.getArgs().forEach(a -> argv.add(remap(a)));
        }
        Quantity memoryLimit = container.getResources() == null || container.getResources().getLimits() == null ? null
            : container.getResources().getLimits().get("memory");
        if (memoryLimit != null && argv.get(0).endsWith("java")) {
            // The cgroup limit the JVM would size its heap from inside the container.
            argv.add(1, "-XX:MaxRAM=" + memoryLimit.getNumericalAmount().longValue());
        }
        var builder = new ProcessBuilder(argv);
        // Only what the container would get: its own env, the image's PATH (the host's here) and HOSTNAME.
        String path = builder.environment().get("PATH");
        builder.environment().clear();
        builder.environment().put("PATH", path);
        builder.environment().put("HOSTNAME", pod.getName());
        builder.environment().putAll(environment(container));
        return builder;
    }

    /** A container path as the host sees it: the longest mount that contains it, else unchanged. */
    String remap(String value) {
        String best = null;
        for (String mount : mounts.keySet()) {
            if ((value.equals(mount) || value.startsWith(mount + "/")) && (best == null || mount.length() > best.length())) {
                best = mount;
            }
        }
        return best == null ? value : mounts.get(best) + value.substring(best.length());
    }

    private String resolve(EnvVar var) {
        if (var.getValueFrom() == null) {
            return var.getValue() == null ? "" : var.getValue();
        }
        var from = var.getValueFrom();
        if (from.getFieldRef() != null) {
            return field(from.getFieldRef().getFieldPath());
        }
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            var secret = client.secrets().inNamespace(pod.getNamespace()).withName(ref.getName()).get();
            String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
            if (encoded == null) {
                if (Boolean.TRUE.equals(ref.getOptional())) {
                    return null;
                }
                // The kubelet would not start the container: CreateContainerConfigError.
                throw new IllegalStateException("CreateContainerConfigError: Secret " + ref.getName() + " key " + ref.getKey()
                    + " (for " + var.getName() + ") not found in " + pod.getNamespace());
            }
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
        throw new IllegalStateException("the stand-in does not resolve " + var.getName() + " from " + from);
    }

    private String field(String path) {
        return switch (path) {
            case "metadata.name" -> pod.getName();
            case "metadata.namespace" -> pod.getNamespace();
            case "metadata.uid" -> pod.getUid();
            default -> throw new IllegalStateException("the stand-in does not resolve fieldRef " + path);
        };
    }

    /** The image's ENTRYPOINT, read from its Dockerfile (exec form), so the stand-in runs what the image would. */
    static List<String> entrypointOf(Path dockerfile) {
        try {
            for (String line : java.nio.file.Files.readAllLines(dockerfile)) {
                if (line.startsWith("ENTRYPOINT [")) {
                    String inner = line.substring(line.indexOf('[') + 1, line.lastIndexOf(']'));
                    var words = new ArrayList<String>();
                    for (String word : inner.split(",")) {
                        words.add(word.trim().replaceAll("^\"|\"$", ""));
                    }
                    return words;
                }
            }
            throw new IllegalStateException("no exec-form ENTRYPOINT in " + dockerfile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
