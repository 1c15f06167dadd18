"""scikit-learn's scores on the sidecar's own splits: the reference column of BENCHMARKS.md §6.

Reads <dir>/<dataset>.csv as written by io.pgmlsidecar.bench.SplitExport (split, label, features), fits each
algorithm PostgresML names with the class PostgresML's sklearn.py maps it to and that class's defaults (as
pgml.train with hyperparams '{}' does), on the train rows, and prints one Markdown row per (dataset, algorithm):
test accuracy (classification) or r2 (regression), and fit seconds. Usage:
    python3 sklearn_reference.py <dir> [algorithms, comma-separated]
Debian's python3-sklearn (1.2.1 on bookworm; PostgresML pins a newer one) and, for xgboost, python3-xgboost.
"""
import csv
import sys
import time
import warnings

import numpy as np
from sklearn import ensemble, gaussian_process, kernel_ridge, linear_model, svm
from sklearn.metrics import accuracy_score, r2_score

REGRESSION = {
    "linear": linear_model.LinearRegression, "ridge": linear_model.Ridge, "lasso": linear_model.Lasso,
    "elastic_net": linear_model.ElasticNet, "least_angle": linear_model.Lars, "lasso_least_angle": linear_model.LassoLars,
    "orthogonal_matching_pursuit": linear_model.OrthogonalMatchingPursuit, "bayesian_ridge": linear_model.BayesianRidge,
    "automatic_relevance_determination": linear_model.ARDRegression,
    "stochastic_gradient_descent": linear_model.SGDRegressor, "passive_aggressive": linear_model.PassiveAggressiveRegressor,
    "ransac": linear_model.RANSACRegressor, "theil_sen": linear_model.TheilSenRegressor, "huber": linear_model.HuberRegressor,
    "quantile": linear_model.QuantileRegressor, "kernel_ridge": kernel_ridge.KernelRidge,
    "gaussian_process": gaussian_process.GaussianProcessRegressor, "svm": svm.SVR, "nu_svm": svm.NuSVR,
    "linear_svm": svm.LinearSVR, "ada_boost": ensemble.AdaBoostRegressor, "bagging": ensemble.BaggingRegressor,
    "extra_trees": ensemble.ExtraTreesRegressor, "gradient_boosting_trees": ensemble.GradientBoostingRegressor,
    "random_forest": ensemble.RandomForestRegressor, "hist_gradient_boosting": ensemble.HistGradientBoostingRegressor,
}
CLASSIFICATION = {
    "linear": linear_model.LogisticRegression, "ridge": linear_model.RidgeClassifier,
    "stochastic_gradient_descent": linear_model.SGDClassifier, "perceptron": linear_model.Perceptron,
    "passive_aggressive": linear_model.PassiveAggressiveClassifier,
    "gaussian_process": gaussian_process.GaussianProcessClassifier, "svm": svm.SVC, "nu_svm": svm.NuSVC,
    "linear_svm": svm.LinearSVC, "ada_boost": ensemble.AdaBoostClassifier, "bagging": ensemble.BaggingClassifier,
    "extra_trees": ensemble.ExtraTreesClassifier, "gradient_boosting_trees": ensemble.GradientBoostingClassifier,
    "hist_gradient_boosting": ensemble.HistGradientBoostingClassifier, "random_forest": ensemble.RandomForestClassifier,
}
try:
    import xgboost
    REGRESSION.update(xgboost=xgboost.XGBRegressor, xgboost_random_forest=xgboost.XGBRFRegressor)
    CLASSIFICATION.update(xgboost=xgboost.XGBClassifier, xgboost_random_forest=xgboost.XGBRFClassifier)
except ImportError:
    pass

DATASETS = [("digits", CLASSIFICATION), ("breast_cancer", CLASSIFICATION), ("diabetes", REGRESSION)]


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    train = np.array([r[0] == "train" for r in rows])
    y = np.array([float(r[1]) for r in rows])
    x = np.array([[float(v) for v in r[2:]] for r in rows])
    return x[train], y[train], x[~train], y[~train]


def main():
    folder = sys.argv[1]
    only = set(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else None
    warnings.filterwarnings("ignore")
    print("| dataset | algorithm | scikit-learn score | scikit-learn fit s |")
    print("|---|---|---|---|")
    for name, algorithms in DATASETS:
        x, y, xt, yt = read(f"{folder}/{name}.csv")
        classify = algorithms is CLASSIFICATION
        if classify:
            y, yt = y.astype(int), yt.astype(int)
        for algorithm, cls in algorithms.items():
            if only and algorithm not in only:
                continue
            try:
                t0 = time.perf_counter()
                model = cls().fit(x, y)
                fit = time.perf_counter() - t0
                p = model.predict(xt)
                score = accuracy_score(yt, p) if classify else r2_score(yt, p)
                print(f"| {name} | {algorithm} | {score:.4f} | {fit:.3f} |", flush=True)
            except Exception as e:  # a refusal is a result too
                print(f"| {name} | {algorithm} | failed: {str(e).splitlines()[0][:80]} | |", flush=True)


if __name__ == "__main__":
    main()
