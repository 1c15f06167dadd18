package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * What reading the session's settings (statement_timeout, current_user) costs a served statement, to justify reading
 * them only after a statement that may change them (SessionSettingsWatch) instead of before every served statement.
 * One sidecar, one pgjdbc session (extended protocol, prepared), alternating rounds; per-statement medians of rounds:
 * <ol>
 *   <li>{@code SELECT pgml.predict(…)} alone: the settings were read once, the deployment is cached;</li>
 *   <li>the settings read itself, relayed: what every served statement would pay if read each time;</li>
 *   <li>{@code SET statement_timeout = 0} then the predict: the SET makes the sidecar read again (the watch's cost
 *       after a change) — compared with</li>
 *   <li>{@code SET statement_timeout = 0} then {@code SELECT 1}, and {@code SELECT 1} alone.</li>
 * </ol>
 * Arguments: {@code [jar] [statements per round (2000)] [rounds (7)]}.
 */
public final class SessionSettingsBenchmark {

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "deploy/target/pgml-sidecar.jar");
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Path data = Files.createTempDirectory("pgml-bench-settings");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            int port = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, port, pg.port());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS bench_settings");
                s.execute("CREATE TABLE bench_settings AS SELECT g::real AS x, (2 * g + 1)::real AS y FROM generate_series(1, 200) g");
                s.executeQuery("SELECT * FROM pgml.train('bench_settings', 'regression', 'bench_settings', 'y', 'linear')").close();
                PreparedStatement predict = c.prepareStatement("SELECT pgml.predict('bench_settings', ARRAY[3.0::real])");
                PreparedStatement read = c.prepareStatement("SELECT current_setting('statement_timeout'), current_user");
                PreparedStatement set = c.prepareStatement("SET statement_timeout = 0");
                PreparedStatement one = c.prepareStatement("SELECT 1");
                double[] predictAlone = new double[rounds], readAlone = new double[rounds];
                double[] setPredict = new double[rounds], setOne = new double[rounds], oneAlone = new double[rounds];
                for (int round = -1; round < rounds; round++) { // one warm-up round
                    int r = Math.max(round, 0);
                    predictAlone[r] = microsPer(perRound, () -> query(predict));
                    readAlone[r] = microsPer(perRound, () -> query(read));
                    setPredict[r] = microsPer(perRound, () -> { set.execute(); query(predict); });
                    setOne[r] = microsPer(perRound, () -> { set.execute(); query(one); });
                    oneAlone[r] = microsPer(perRound, () -> query(one));
                }
                double p = Measure.median(predictAlone), rd = Measure.median(readAlone);
                double sp = Measure.median(setPredict), so = Measure.median(setOne);
                System.out.printf("served predict, settings known        %8.1f µs%n", p);
                System.out.printf("the settings read, relayed            %8.1f µs  (%.2f× the predict: the cost of reading before every served statement)%n", rd, rd / p);
                System.out.printf("SET + predict (the SET forces a read) %8.1f µs%n", sp);
                System.out.printf("SET + SELECT 1                        %8.1f µs%n", so);
                double o = Measure.median(oneAlone);
                System.out.printf("SELECT 1, relayed                     %8.1f µs%n", o);
                System.out.printf("what a SET adds to the next predict   %8.1f µs  ((SET+predict − SET+SELECT 1) − (predict − SELECT 1): the re-read)%n",
                        (sp - so) - (p - o));
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void query(PreparedStatement ps) throws Exception {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static double microsPer(int n, Body body) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            body.run();
        }
        return (System.nanoTime() - t0) / 1e3 / n;
    }
}
