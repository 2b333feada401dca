# The sync worker and beat scheduler image (docker-compose.yml builds it).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY sync sync
COPY algorithms algorithms
COPY activity activity
COPY activity_graph activity_graph
COPY cypher cypher
RUN pip install --no-cache-dir -e '.[gds]'
USER nobody
CMD ["celery", "-A", "activity_graph.celery_app", "worker", "--loglevel=INFO"]
