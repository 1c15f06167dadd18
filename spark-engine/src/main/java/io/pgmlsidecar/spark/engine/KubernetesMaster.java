package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;

/**
 * A {@code k8s://} master, checked before a job starts: in client mode the driver (on the sidecar's host) asks the API
 * server for executor pods itself; an unreachable server would surface deep inside Spark (or as a wait for executors
 * that never come), and without a container image no pod can be made. Both are answered at once, with what a
 * cluster needs.
 */
final class KubernetesMaster {
    static final String NEEDS = "A cluster needs: spark.kubernetes.container.image (Spark 3.5 with spark-job.jar, xgboost4j-spark and "
            + "pgjdbc in its jars/), a service account that may create pods (spark.kubernetes.authenticate.driver.serviceAccountName, "
            + "or a kubeconfig / in-cluster token for the sidecar), spark.kubernetes.namespace, spark.driver.host reachable from the "
            + "executor pods, and --spark-home on a Spark built with Kubernetes (spark-kubernetes_2.12); see README, Training on Spark.";
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private KubernetesMaster() {}

    static boolean is(String master) {
        return master.startsWith("k8s://");
    }

    /** The API server's URI of {@code k8s://[https://]host[:port]} (Spark's default scheme is https). */
    static URI apiServer(String master) {
        String rest = master.substring("k8s://".length());
        URI uri = URI.create(rest.contains("://") ? rest : "https://" + rest);
        if (uri.getHost() == null) {
            throw new PgException("22023", "the Spark master " + master + " names no API server host",
                    "Set --spark-master to k8s://https://HOST:PORT, the Kubernetes API server.");
        }
        return uri;
    }

    static void check(String master, Map<String, String> conf) {
        URI api = apiServer(master);
        int port = api.getPort() > 0 ? api.getPort() : "http".equals(api.getScheme()) ? 80 : 443;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(api.getHost(), port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new PgException("08001", "cannot reach the Kubernetes API server " + api.getHost() + ":" + port + " of Spark master "
                    + master + ": " + e.getMessage(), "The Spark driver runs in client mode on the sidecar's host and talks to the API "
                    + "server itself: check --spark-master, DNS and network policies from the sidecar. " + NEEDS);
        }
        if (!conf.containsKey("spark.kubernetes.container.image")) {
            throw new PgException("55000", "the Spark master " + master + " needs spark.kubernetes.container.image",
                    "Set --spark-conf spark.kubernetes.container.image=IMAGE. " + NEEDS);
        }
    }
}
