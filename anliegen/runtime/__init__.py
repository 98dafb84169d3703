"""What runs Anliegen: the web server (`anliegen serve`), the background worker and the
scheduler of its periodic jobs (`anliegen worker`), and the demo department (`anliegen demo`).

The schedule table and `periodic` sit below every feature app: apps register their periodic
jobs here from their AppConfig.ready(); this app imports no feature app at module level."""
