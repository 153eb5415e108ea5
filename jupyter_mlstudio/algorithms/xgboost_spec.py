"""SageMaker's built-in XGBoost algorithm (its 1.x images in algorithm mode): the
hyperparameters it takes and the metrics it reports, as its container declares them."""
from __future__ import annotations

from .hyperparameters import INF, Hyperparameter as H

OBJECTIVES = ("binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
              "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map",
              "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma",
              "reg:pseudohubererror", "reg:squaredlogerror", "reg:tweedie",
              "reg:absoluteerror", "survival:cox", "survival:aft")
#: XGBoost's own evaluation metrics, and those SageMaker's container adds (computed here
#: with numpy)
NATIVE_METRICS = ("auc", "aucpr", "map", "ndcg", "error", "logloss", "mae", "mape",
                  "merror", "mlogloss", "mphe", "poisson-nloglik", "rmse", "rmsle",
                  "tweedie-nloglik", "gamma-deviance", "gamma-nloglik", "cox-nloglik",
                  "aft-nloglik", "interval-regression-accuracy")
ADDED_METRICS = ("mse", "r2", "accuracy", "f1")
MAXIMIZE = ("auc", "aucpr", "map", "ndcg", "r2", "accuracy", "f1")
METRICS = NATIVE_METRICS + ADDED_METRICS
TREE_METHODS = ("auto", "exact", "approx", "hist", "gpu_hist")

HYPERPARAMETERS = (
    H("num_round", "int", 1, required=True),
    H("csv_weights", "int", 0, 1),
    H("early_stopping_rounds", "int", 1),
    H("booster", "choice", values=("gbtree", "gblinear", "dart")),
    H("verbosity", "int", 0, 3),
    H("nthread", "int", 1),
    H("eta", "float", 0, 1),
    H("gamma", "float", 0),
    H("max_depth", "int", 0),
    H("min_child_weight", "float", 0),
    H("max_delta_step", "float", 0),
    H("subsample", "float", 0, 1, open_low=True),
    H("colsample_bytree", "float", 0, 1, open_low=True),
    H("colsample_bylevel", "float", 0, 1, open_low=True),
    H("colsample_bynode", "float", 0, 1, open_low=True),
    H("lambda", "float", 0),
    H("alpha", "float", 0),
    H("tree_method", "choice", values=TREE_METHODS),
    H("sketch_eps", "float", 0, 1, open_low=True, open_high=True),
    H("scale_pos_weight", "float", 0, open_low=True),
    H("updater", "choices", values=("grow_colmaker", "distcol", "grow_histmaker",
                                    "grow_skmaker", "sync", "refresh", "prune",
                                    "grow_quantile_histmaker", "shotgun", "coord_descent")),
    H("dsplit", "choice", values=("row", "col")),
    H("refresh_leaf", "int", 0, 1),
    H("process_type", "choice", values=("default", "update")),
    H("grow_policy", "choice", values=("depthwise", "lossguide")),
    H("max_leaves", "int", 0),
    H("max_bin", "int", 0),
    H("predictor", "choice", values=("auto", "cpu_predictor", "gpu_predictor")),
    H("monotone_constraints", "text"),
    H("interaction_constraints", "text"),
    H("sample_type", "choice", values=("uniform", "weighted")),
    H("normalize_type", "choice", values=("tree", "forest")),
    H("rate_drop", "float", 0, 1),
    H("one_drop", "int", 0, 1),
    H("skip_drop", "float", 0, 1),
    H("lambda_bias", "float", 0, 1),
    H("tweedie_variance_power", "float", 1, 2, open_low=True, open_high=True),
    H("objective", "choice", values=OBJECTIVES),
    H("num_class", "int", 2),
    H("base_score", "float", 0),
    H("eval_metric", "choices", values=METRICS),
    H("seed", "int", -(2**31), 2**31 - 1, open_low=True, open_high=True),
    H("num_parallel_tree", "int", 1),
    H("save_model_on_termination", "choice", values=("true", "false")),
    H("single_precision_histogram", "choice", values=("true", "false")),
    H("deterministic_histogram", "choice", values=("true", "false")),
    H("_tuning_objective_metric", "choice",
      values=tuple(f"{channel}:{m}" for channel in ("validation", "train") for m in METRICS)),
    H("max_cat_to_onehot", "int", 1),
    H("max_cat_threshold", "int", 1, INF),
)


def metric_definitions() -> list[dict[str, str]]:
    """The metrics the algorithm reports, with the regexes SageMaker's container declares
    (they read the log as CloudWatch keeps it, a tab as ``#011``)."""
    number = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
    return [{"Name": f"{channel}:{m}",
             "Regex": f".*\\[[0-9]+\\].*#011{channel}-{m}:{number}.*"}
            for channel in ("validation", "train") for m in METRICS]
