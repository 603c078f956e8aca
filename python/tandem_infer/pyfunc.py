"""MLflow's ``python_function`` flavor for Tandem runs.

Every run ``tandem train`` logs declares, in its ``model/MLmodel``::

    python_function:
      loader_module: tandem_infer.pyfunc
      data: model.tandem

so MLflow's own machinery loads a Tandem model with this package (installed where it runs:
``env_manager="local"``, or ``--env-manager local``):

- ``mlflow.pyfunc.load_model("runs:/<id>/model")`` / ``"models:/<name>@<alias>"``;
- ``mlflow models serve -m runs:/<id>/model --env-manager local``: ``/invocations`` answers
  ``{"predictions": [{"label", "probability_<class>"...}]}``, the numbers ``tandem serve``
  answers;
- ``mlflow.pyfunc.spark_udf(spark, "runs:/<id>/model", env_manager="local")``: a struct of
  ``label`` and ``probability_<class>`` doubles (or a double, for regression) per row.

The input is raw fields (the signature lists them); the bundle's preprocessing runs inside.
A bad row is an ``MlflowException`` (``INVALID_PARAMETER_VALUE``: HTTP 400 from the server)
naming Tandem's code, field and row, never a silent null.
"""

from . import InputError, Model


class TandemPyfunc:
    """What ``mlflow.pyfunc.load_model`` returns the ``predict`` of."""

    def __init__(self, model):
        self.model = model

    def predict(self, model_input, params=None):
        """Predictions in the shape of the model's output signature: ``label`` and
        ``probability_<class>`` per class, or ``value`` (as ``tandem predict`` writes them)."""
        try:
            frame = self.model.predict(model_input)
        except InputError as e:
            from mlflow.exceptions import MlflowException
            from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

            raise MlflowException(str(e), error_code=INVALID_PARAMETER_VALUE) from e
        # The model's output signature: `label` and `probability_<class>`, or `value`.
        return frame.reset_index(drop=True)


def _load_pyfunc(path, model_config=None):
    """MLflow's entry point: ``path`` is the flavor's ``data``, the run's ``model.tandem``."""
    return TandemPyfunc(Model.load(path))
