from openvet.cli import app

app()
