"""seqlib: the shared code of the book "Sequence processing with convnets".

Modules (import the ones you need; nothing happens at import time), lowest floor first:

- ``registry``  every dataset and every model the book reports, as data (chapter 1)
- ``checks``    the checks of integer and rate arguments, with one wording of their errors
- ``cli``       the command lines' errors and Ctrl-C in one line
- ``config``    run profiles (``SEQLIB_PROFILE=full|quick``)
- ``fetch``     the data folder, checksum-verified downloads and files, the local mirror
- ``windows``   lookback/delay/step windows over a series, split ranges, normalisation
- ``receptive_field`` geometry of conv stacks (the book's stacks, the explorers' geometry)
- ``baselines`` the common-sense forecast
- ``results``   result records: folder, atomic JSON, loading, summaries over seeds, fit results
- ``claims``    the section's claims, their named thresholds and the rules that judge them
- ``tables``    Markdown tables of runs and verdicts for the chapters
- ``legacy``    the 2017 generator, kept for comparison
- ``order_sensitivity`` shuffled-days test of order sensitivity
- ``convolution_by_hand`` a 1D convolution worked by hand, and the multiply-adds of the models
- ``imdb``      the IMDB reviews as Keras word ids, padded and split
- ``review_texts`` the IMDB reviews as raw text, read from the archive, split
- ``weather``   weather series (Jena climate, or the MERRA-2 stand-in), split and normalised
- ``plots``     figures
- ``static_explorers`` sliders over precomputed figures, for static pages (no TensorFlow)
- ``models``    builders of the book's Keras models
- ``feed``      the tf.data feed of windows
- ``training``  seeding, compiling, fitting by the stopping rule, timing models side by side
- ``text_model`` raw text into Keras: the vectorizer and a model that reads strings
- ``recipe``    the one recipe every reported run goes through, returning a record
- ``experiments`` the runner: every model over seeds, one cell of the grid, the sweep, timings
- ``review_reading`` what the n-gram convnet reads in a review, filter by filter
- ``explorers`` ipywidgets around the recipe and the geometry
- ``review_explorer`` widgets around the review reader

Light modules (``registry``, ``checks``, ``cli``, ``config``, ``windows``, ``receptive_field``, ``baselines``,
``results``, ``claims``, ``tables``, ``legacy``) import neither TensorFlow nor widgets.
"""

__version__ = "0.1.0"
