-- Clustering: iris measurements without the label, k-means and mini-batch k-means.
SELECT * FROM pgml.load_dataset('iris');
CREATE OR REPLACE VIEW iris_measurements AS SELECT sepal_length, sepal_width, petal_length, petal_width FROM pgml.iris;
SELECT * FROM pgml.train('Iris Clusters', 'clustering', 'iris_measurements', hyperparams => '{"n_clusters": 3}');
SELECT * FROM pgml.train('Iris Clusters', algorithm => 'mini_batch_kmeans', hyperparams => '{"n_clusters": 3}');
WITH assigned AS (
    SELECT target, pgml.predict('Iris Clusters', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS cluster FROM pgml.iris
)
SELECT target, cluster, count(*) FROM assigned GROUP BY 1, 2 ORDER BY 1, 2;
