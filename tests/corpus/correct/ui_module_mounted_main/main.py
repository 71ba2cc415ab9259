from fastapi import FastAPI

from ui import st_app

app = FastAPI(title="Inventory service", lifespan=st_app.lifespan())


@app.get("/api/items")
async def items() -> list[dict]:
    return [{"sku": "A-1", "stock": 4}, {"sku": "B-7", "stock": 0}]


app.mount("/ui", st_app)
