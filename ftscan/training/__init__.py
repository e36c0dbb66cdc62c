"""Fine-tuning pipelines: where code, commands and resources create fine-tuning jobs
(:mod:`.sites`, :mod:`.text`), the committed files of training examples (:mod:`.data`), and the
links between them (:mod:`.link`). The rules are data (``rules/training.yaml``, kinds
``training`` and ``training-data``); the dates are data too (the ``training`` section of
``rules/lifecycle.yaml``: when each provider ends job creation).
"""
