"""Step-down trainings: master trainers of the pool run their own trainings (issue 17).

Sits above certificates (it asks the pool who is a trainer, where and for which course) and below
reports (which count what the pool reached: portal/reports/cascade.py).
"""
