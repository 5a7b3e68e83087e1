# The app in a container: the README's install command, nothing more. Not built in this project's CI
# (the build machines have no Docker); `docker build -t playground . && docker run -p 8501:8501 playground`.
# For a class, run `python -m deploy` on the host instead (nginx in front of several replicas; see README).
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8501
CMD ["streamlit", "run", "streamlit_app.py", "--server.address=0.0.0.0", "--server.headless=true"]
