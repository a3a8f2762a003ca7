"""nbgrader's configuration of this course.

`nbgrader ...` run by hand in this folder (formgrader included) sees the same course as `llmt`:
both take their settings from graders/course.py, which reads the manifest (graders/manifest.py).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from graders.course import configure  # noqa: E402

c = configure(get_config())  # noqa: F821 (get_config is given by traitlets' config loader)

# `nbgrader autograde` run by hand grades under the offline profile too, like `llmt grade`
c.Autograde.pre_convert_hook = "graders.profile.use_offline_profile"
