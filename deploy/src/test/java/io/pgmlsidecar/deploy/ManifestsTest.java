package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The packaging files in deploy/: every Kubernetes manifest read into fabric8's typed model with no
 * field left unknown (a misspelt or misplaced key fails), the objects agreeing with each other and
 * with the sidecar (probe paths, ports, labels, the configuration keys), the compose file's
 * references, and the container build file's rules. No container engine runs here, so the image
 * itself is not built by the tests.
 */
class ManifestsTest {

    private static final Path DEPLOY = Path.of("").toAbsolutePath().getFileName().toString().equals("deploy")
            ? Path.of("") : Path.of("deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "ConfigMap", ConfigMap.class, "Secret", Secret.class, "Service", Service.class, "Deployment", Deployment.class,
            "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    private final Map<String, HasMetadata> objects = new java.util.HashMap<>();

    private void readManifests() throws Exception {
        Path dir = DEPLOY.resolve("kubernetes");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path p : listing.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                if (p.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                files.add(p.getFileName().toString());
                JsonNode tree = YAML.readTree(p.toFile());
                String kind = tree.path("kind").asText();
                Class<? extends HasMetadata> type = KINDS.get(kind);
                assertNotNull(type, p + ": unexpected kind " + kind);
                HasMetadata object = YAML.treeToValue(tree, type);
                assertEquals(expectedApiVersion(kind), object.getApiVersion(), p.toString());
                List<String> unknown = new ArrayList<>();
                collectUnknownFields(object, kind, unknown);
                assertTrue(unknown.isEmpty(), p + ": fields the Kubernetes API does not have: " + unknown);
                assertEquals("pgml-sidecar", object.getMetadata().getName(), p.toString());
                objects.put(kind, object);
            }
        }
        assertEquals(KINDS.keySet(), objects.keySet(), "one manifest of each kind");
        JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.get("resources").forEach(r -> listed.add(r.asText()));
        assertEquals(files, listed, "kustomization.yaml lists every manifest");
    }

    private static String expectedApiVersion(String kind) {
        return switch (kind) {
            case "Deployment" -> "apps/v1";
            case "PodDisruptionBudget" -> "policy/v1";
            case "HorizontalPodAutoscaler" -> "autoscaling/v2";
            default -> "v1";
        };
    }

    /** Fabric8 keeps keys it does not know in additionalProperties instead of failing: look for them everywhere. */
    private static void collectUnknownFields(Object o, String path, List<String> unknown) throws Exception {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                collectUnknownFields(e, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                collectUnknownFields(e.getValue(), path + "." + e.getKey(), unknown);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = getter.invoke(o);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            collectUnknownFields(value, path + "." + field, unknown);
        }
    }

    @Test
    void kubernetesManifestsAreValidAndAgree() throws Exception {
        readManifests();
        Deployment deployment = (Deployment) objects.get("Deployment");
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), podLabels);
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("metrics", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        Map<String, Integer> ports = new java.util.HashMap<>();
        c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
        assertEquals(Map.of("postgres", 6432, "metrics", 9187), ports);
        assertNotNull(c.getResources().getRequests().get("cpu"));
        assertNotNull(c.getResources().getRequests().get("memory"));
        assertTrue(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());

        // the configuration file in the ConfigMap is one the sidecar accepts, listening where the probes look
        ConfigMap config = (ConfigMap) objects.get("ConfigMap");
        Map<String, String> settings = parseWithTheSidecar(config.getData().get("sidecar.yaml"));
        assertEquals("0.0.0.0:6432", settings.get("listen"));
        assertEquals("0.0.0.0:9187", settings.get("metrics-listen"));
        long grace = Main.parseDuration(settings.get("shutdown-grace")).toSeconds();
        assertTrue(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > grace + 5,
                "Kubernetes must not kill the pod before the drain (shutdown-grace + preStop) ends");
        assertTrue(c.getArgs().containsAll(List.of("--config", "/etc/pgml-sidecar/sidecar.yaml")));

        // the secrets key reaches the sidecar as a file from the Secret, the upstream URL as an environment variable
        Secret secret = (Secret) objects.get("Secret");
        assertTrue(secret.getStringData().keySet().containsAll(Set.of("secrets-key", "upstream")));
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("PGML_SIDECAR_SECRETS_KEY_FILE")));
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("PGML_SIDECAR_UPSTREAM")
                && e.getValueFrom().getSecretKeyRef().getName().equals("pgml-sidecar")));

        Service service = (Service) objects.get("Service");
        assertEquals(podLabels, service.getSpec().getSelector());
        PodDisruptionBudget pdb = (PodDisruptionBudget) objects.get("PodDisruptionBudget");
        assertEquals(podLabels, pdb.getSpec().getSelector().getMatchLabels());
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) objects.get("HorizontalPodAutoscaler");
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("pgml-sidecar", hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() > pdb.getSpec().getMinAvailable().getIntVal(),
                "with the fewest replicas the budget still lets one pod go");
    }

    @Test
    void unknownFieldsAreCaught() throws Exception {
        // the check above must be able to fail: a misplaced key is found
        JsonNode tree = YAML.readTree(Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"))
                .replace("  replicas: 2", "  replicas: 2\n  replica: 3"));
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(YAML.treeToValue(tree, Deployment.class), "Deployment", unknown);
        assertEquals(List.of("Deployment.spec.replica"), unknown);
    }

    @Test
    void composeFileReferencesResolve() throws Exception {
        Path dir = DEPLOY.resolve("compose");
        JsonNode compose = YAML.readTree(dir.resolve("compose.yaml").toFile());
        JsonNode services = compose.get("services");
        assertEquals(Set.of("postgres", "sidecar-1", "sidecar-2", "pgbouncer", "prometheus", "grafana"), names(services));
        for (Map.Entry<String, JsonNode> s : services.properties()) {
            assertTrue(s.getValue().has("image") || s.getValue().has("build"), s.getKey() + " needs an image or a build");
            JsonNode deps = s.getValue().path("depends_on");
            Set<String> needed = deps.isArray() ? new TreeSet<>() : names(deps);
            deps.forEach(d -> { if (d.isTextual()) needed.add(d.asText()); });
            for (String d : needed) {
                assertTrue(services.has(d), s.getKey() + " depends on missing service " + d);
            }
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertTrue(Files.exists(dir.resolve(source)), s.getKey() + " mounts missing " + source);
                } else {
                    assertTrue(compose.path("volumes").has(source), s.getKey() + " uses undeclared volume " + source);
                }
            }
        }
        JsonNode sidecar = services.get("sidecar-1");
        assertTrue(Files.isRegularFile(dir.resolve(sidecar.at("/build/context").asText()).resolve(sidecar.at("/build/dockerfile").asText())),
                "the build's Dockerfile");
        assertEquals("transaction", services.at("/pgbouncer/environment/POOL_MODE").asText());
        Path configFile = dir.resolve(compose.at("/configs/sidecar-config/file").asText());
        Map<String, String> settings = parseWithTheSidecar(Files.readString(configFile));
        String metricsPort = settings.get("metrics-listen").replaceAll(".*:", "");
        JsonNode targets = YAML.readTree(dir.resolve("prometheus.yml").toFile()).at("/scrape_configs/0/static_configs/0/targets");
        assertEquals(List.of("sidecar-1:" + metricsPort, "sidecar-2:" + metricsPort), List.of(targets.get(0).asText(), targets.get(1).asText()));
        // the secret file is generated by the operator, never committed
        assertEquals("./secrets-key", compose.at("/secrets/secrets-key/file").asText());
        assertTrue(Files.readString(dir.resolve(".gitignore")).lines().anyMatch(l -> l.equals("secrets-key")));
        assertTrue(Files.isRegularFile(DEPLOY.resolve("grafana/pgml-sidecar-dashboard.json")));
    }

    @Test
    void containerBuildFileRunsTheJarAsAnUnprivilegedUser() throws Exception {
        List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(1, from.size(), "one stage: nothing is built in the image");
        assertTrue(from.get(0).contains("-jre"), "a JRE, not a JDK: " + from.get(0));
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertFalse(user.contains("root") || user.equals("USER 0") || user.startsWith("USER 0:"), user);
        String all = String.join("\n", lines);
        for (String tool : List.of("mvn", "gradle", "apt-get install", "javac")) {
            assertFalse(all.contains(tool), "no build tools in the image: " + tool);
        }
        assertTrue(all.contains("COPY --chown=root:root --chmod=0444 pgml-sidecar.jar"), "the jar, read-only to the sidecar's user");
        assertTrue(all.contains("EXPOSE 6432 9187"));
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The settings as the sidecar's own loader reads them (unknown keys fail there). */
    private static Map<String, String> parseWithTheSidecar(String yaml) throws Exception {
        Path file = Files.createTempFile("sidecar-", ".yaml");
        try {
            Files.writeString(file, yaml);
            CommandLine command = new CommandLine(new Main());
            ConfigSources.load(file, command.getCommandSpec(), k -> null);
            return ConfigSources.readYaml(file);
        } finally {
            Files.delete(file);
        }
    }

    @SuppressWarnings("unused")
    private static void unreachable() {
        fail();
    }
}
