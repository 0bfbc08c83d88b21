"""seqlib: the shared code of the book "Sequence processing with convnets".

Modules (import the ones you need; nothing happens at import time):

- ``config``    run profiles (``SEQLIB_PROFILE=full|quick``)
- ``fetch``     cache folder, checksum-verified downloads, the local mirror
- ``imdb``      the IMDB reviews, with ``keras.datasets.imdb`` semantics
- ``weather``   multivariate weather series (Jena climate, or the MERRA-2 stand-in)
- ``windows``   lookback/delay/step windows over a series, split ranges, normalisation
- ``baselines`` the common-sense forecast
- ``legacy``    the 2017 generator, kept for comparison
- ``models``    builders of the book's Keras models
- ``training``  seeding, fitting with per-epoch timing, tidy results
- ``plots``     figures
"""

__version__ = "0.1.0"
