package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import ml.dmlc.xgboost4j.scala.spark.XGBoostModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressor;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The fit command: keep the rows the sidecar's split put in training (a bit per row in ctid order), give
 * classification labels the class indexes the sidecar uses (numbers ascending), and train with xgboost4j-spark on
 * the booster parameters the local fit would use.
 */
final class BoosterFit {
    private BoosterFit() {}

    /** Parameters of the local fit that are this JVM's business, not the Spark workers'. */
    private static final List<String> LOCAL_ONLY = List.of("nthread", "device", "num_class", "objective");

    static byte[] fit(SparkSession spark, JavaRDD<PartitionedRead.ReadRow> rows, long[] offsets, JsonNode cmd, int workers)
            throws Exception {
        byte[] mask = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(cmd.path("mask").asText()));
        boolean classification = "classification".equals(cmd.path("task").asText());
        double[] classValues = new double[cmd.path("classValues").size()];
        for (int i = 0; i < classValues.length; i++) {
            classValues[i] = cmd.path("classValues").get(i).asDouble();
        }
        int numFeatures = cmd.path("numFeatures").asInt();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> maskB = sc.broadcast(mask);
        JavaRDD<Row> train = rows.mapPartitions(new TrainRows(maskB, offsets, classification ? classValues : null, numFeatures), true);
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", SQLDataTypes.VectorType());
        Dataset<Row> df = spark.createDataFrame(train, schema);

        scala.collection.immutable.Map<String, Object> params = scalaMap(cmd.path("params"));
        int rounds = cmd.path("rounds").asInt();
        XGBoostModel<?> model;
        if (classification) {
            XGBoostClassifier c = new XGBoostClassifier(params);
            if (classValues.length > 2) {
                c.setNumClass(classValues.length);
            }
            c.setNumRound(rounds);
            c.setNumWorkers(workers);
            c.setFeaturesCol("features");
            c.setLabelCol("label");
            model = (XGBoostModel<?>) c.fit(df);
        } else {
            XGBoostRegressor r = new XGBoostRegressor(params);
            r.setNumRound(rounds);
            r.setNumWorkers(workers);
            r.setFeaturesCol("features");
            r.setLabelCol("label");
            model = (XGBoostModel<?>) r.fit(df);
        }
        return model.nativeBooster().toByteArray("ubj");
    }

    @SuppressWarnings("unchecked")
    private static scala.collection.immutable.Map<String, Object> scalaMap(JsonNode json) {
        scala.collection.immutable.Map<String, Object> m = (scala.collection.immutable.Map<String, Object>) (Object) scala.collection.immutable.Map$.MODULE$.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (LOCAL_ONLY.contains(e.getKey())) {
                continue;
            }
            JsonNode v = e.getValue();
            Object value = v.isInt() ? (Object) v.asInt() : v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble()
                    : v.isBoolean() ? (Object) v.asBoolean() : v.asText();
            m = m.$plus(new Tuple2<>(e.getKey(), value));
        }
        return m;
    }

    /** Runs on an executor: the training rows of one range, as (label, features). */
    private static final class TrainRows implements FlatMapFunction<Iterator<PartitionedRead.ReadRow>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> mask;
        private final long[] offsets;
        private final double[] classValues;
        private final int numFeatures;

        TrainRows(Broadcast<byte[]> mask, long[] offsets, double[] classValues, int numFeatures) {
            this.mask = mask;
            this.offsets = offsets;
            this.classValues = classValues;
            this.numFeatures = numFeatures;
        }

        @Override
        public Iterator<Row> call(Iterator<PartitionedRead.ReadRow> it) {
            byte[] bits = mask.value();
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                PartitionedRead.ReadRow r = it.next();
                long global = offsets[r.partition()] + r.index();
                if ((bits[(int) (global >>> 3)] & (1 << (global & 7))) == 0) {
                    continue;
                }
                if (r.features().length != numFeatures) {
                    throw new JobFailure("22000", "a row has " + r.features().length + " features where the sidecar read " + numFeatures,
                            "Arrays must have one length in every row.");
                }
                double label = r.label();
                if (classValues != null) {
                    int k = Arrays.binarySearch(classValues, label);
                    if (k < 0) {
                        throw new JobFailure("40001", "the job read a label value (" + label + ") the sidecar's read did not have",
                                "The relation changed while training; train again.");
                    }
                    label = k;
                }
                double[] x = new double[r.features().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.features()[i];
                }
                out.add(RowFactory.create(label, Vectors.dense(x)));
            }
            return out.iterator();
        }
    }
}
