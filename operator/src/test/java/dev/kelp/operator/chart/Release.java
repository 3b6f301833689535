package dev.kelp.operator.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A release of the chart on the proving ground, under a fresh name and namespace so runs never
 * meet each other's cluster-scoped objects. Closing it uninstalls whatever a failed test left:
 * a stray webhook configuration would otherwise refuse annotated pods of later tests.
 */
public final class Release implements AutoCloseable {

    private final Helm helm;
    public final String name;
    public final String namespace;

    private Release(Helm helm, String name, String namespace) {
        this.helm = helm;
        this.name = name;
        this.namespace = namespace;
    }

    /** A name and a namespace ({@code <prefix>-<random>}) nothing has used yet. */
    public static Release fresh(Helm helm, String namespacePrefix) {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        return new Release(helm, "kelp-" + suffix, namespacePrefix + "-" + suffix);
    }

    /** The operator's objects: "kelp-&lt;random&gt;-operator". */
    public String operator() {
        return name + "-operator";
    }

    public Helm.Result install(String... args) {
        return helm.run(command("install", KelpChart.dir().toString(), args));
    }

    Helm.Result upgrade(String... args) {
        return helm.run(command("upgrade", KelpChart.dir().toString(), args));
    }

    public Helm.Result uninstall() {
        return helm.run("uninstall", name, "--namespace", namespace, "--wait", "--timeout", "60s");
    }

    public boolean installed() {
        return helm.run("status", name, "--namespace", namespace).succeeded();
    }

    Manifest manifest() {
        Helm.Result got = helm.run("get", "manifest", name, "--namespace", namespace);
        if (!got.succeeded()) {
            throw new AssertionError(got.toString());
        }
        return Manifest.parse(got.output());
    }

    @Override
    public void close() {
        if (installed()) {
            uninstall();
        }
    }

    private List<String> command(String verb, String chart, String... args) {
        var command = new ArrayList<>(List.of(verb, name, chart, "--namespace", namespace));
        command.addAll(List.of(args));
        return command;
    }
}
