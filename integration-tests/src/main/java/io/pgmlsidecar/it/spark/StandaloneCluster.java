package io.pgmlsidecar.it.spark;

import io.pgmlsidecar.spark.engine.JavaForSpark;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spark standalone cluster on loopback for the tests: one master and {@code workers} workers (one core each), each a
 * child JVM on the JDK the Spark engine would use, from the job's class path. A worker starts its executors through
 * Spark's launcher, which wants a Spark home with {@code RELEASE} and {@code jars/}: a temporary one of links to the
 * class path's jars. In main sources because {@code SparkTrainBenchmark} measures on one too.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    /** The Spark home of links, the workers' directories and the processes' logs, removed by {@link #close}. */
    private final List<Path> files = new ArrayList<>();
    public final String masterUrl;

    private StandaloneCluster(String masterUrl) {
        this.masterUrl = masterUrl;
    }

    public static StandaloneCluster start(String classpath, int workers) throws Exception {
        return start(classpath, workers, "1g");
    }

    /** {@code workers} one-core workers offering {@code workerMemory} each (e.g. {@code 3g}) to executors. */
    public static StandaloneCluster start(String classpath, int workers, String workerMemory) throws Exception {
        Path javaBin = JavaForSpark.find(null);
        Path home = SparkHomeOfLinks.create(Files.createTempDirectory("pgml-spark-home-"), classpath);
        int port = freePort();
        int ui = freePort();
        StandaloneCluster cluster = new StandaloneCluster("spark://127.0.0.1:" + port);
        cluster.files.add(home);
        try {
            cluster.launch(javaBin, home, classpath, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--webui-port", Integer.toString(ui));
            for (int w = 0; w < workers; w++) {
                cluster.launch(javaBin, home, classpath, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                        "--memory", workerMemory, "--webui-port", Integer.toString(freePort()), "--work-dir",
                        cluster.temporary(Files.createTempDirectory("pgml-spark-worker-")).toString(), cluster.masterUrl);
            }
            cluster.awaitWorkers(ui, workers);
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(Path javaBin, Path home, String classpath, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-Xmx256m", "-XX:+IgnoreUnrecognizedVMOptions"));
        command.addAll(JavaForSpark.MODULE_OPTIONS);
        command.addAll(List.of("-cp", classpath, main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temporary(Files.createTempFile("pgml-spark-" + main.substring(main.lastIndexOf('.') + 1) + "-", ".log")).toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("JAVA_HOME", javaBin.getParent().getParent().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.12"); // else the launcher looks for a source build's directories
        processes.add(pb.start());
    }

    /**
     * Kills worker {@code index} (0-based) and the executors it launched, at once (SIGKILL), as a machine lost
     * mid-job would: nothing of theirs gets to say goodbye to the driver or to PostgreSQL.
     */
    public void killWorker(int index) {
        Process worker = processes.get(1 + index); // the master was launched first
        worker.descendants().forEach(ProcessHandle::destroyForcibly);
        worker.destroyForcibly();
    }

    /** Polls the master's JSON page until {@code workers} workers are alive. */
    private void awaitWorkers(int ui, int workers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 180_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ui + "/json/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains("\"aliveworkers\" : " + workers)) {
                    return;
                }
            } catch (IOException notYet) {
                // the master is still starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the standalone cluster did not come up: " + last);
    }

    private Path temporary(Path p) {
        files.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path f : files) {
            try (var all = Files.walk(f)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            } catch (IOException ignored) {
                // temporary files
            }
        }
    }
}
