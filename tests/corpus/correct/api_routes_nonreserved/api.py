"""REST sub-application mounted at /api inside the Streamlit App."""

from fastapi import FastAPI
from pydantic import BaseModel

api = FastAPI(title="Scoring API", docs_url="/docs", openapi_url="/openapi.json")


class Applicant(BaseModel):
    income: float
    debt: float


@api.get("/health")
async def health() -> dict:
    return {"status": "healthy"}


@api.post("/score")
def score(applicant: Applicant) -> dict:
    ratio = applicant.debt / max(applicant.income, 1.0)
    return {"score": round(max(0.0, 1.0 - ratio), 3)}
