"""seqlib: the shared code of the book "Sequence processing with convnets".

Modules (import the ones you need; nothing happens at import time):

- ``config``    run profiles (``SEQLIB_PROFILE=full|quick``)
- ``fetch``     cache folder, checksum-verified downloads, the local mirror
- ``imdb``      the IMDB reviews, with ``keras.datasets.imdb`` semantics
- ``weather``   multivariate weather series (Jena climate, or the MERRA-2 stand-in)
- ``windows``   lookback/delay/step windows over a series, split ranges, normalisation
- ``receptive_field`` geometry of conv stacks (the book's stacks, the explorers' geometry)
- ``baselines`` the common-sense forecast
- ``results``   result records: folder, atomic JSON, loading, summaries over seeds
- ``claims``    the section's claims and the rules that judge them
- ``tables``    Markdown tables of runs and verdicts for the chapters
- ``legacy``    the 2017 generator, kept for comparison
- ``models``    builders of the book's Keras models and their registry
- ``feed``      the tf.data feed of windows
- ``training``  seeding, compiling, fitting by the stopping rule, timing training steps
- ``recipe``    the one recipe every reported run goes through, returning a record
- ``experiments`` the runner: every model over seeds, the sweep, the step timings
- ``plots``     figures
- ``explorers`` ipywidgets around the recipe and the geometry
- ``order_sensitivity`` shuffled-days test of order sensitivity

Light modules (``config``, ``windows``, ``receptive_field``, ``baselines``, ``results``,
``claims``, ``tables``, ``legacy``) import neither TensorFlow nor widgets.
"""

__version__ = "0.1.0"
